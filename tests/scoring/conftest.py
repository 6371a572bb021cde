"""Fixtures for scoring tests: generated images, and tiny random models built on the spot and
saved to a folder, so that the real loading code runs without any download (a transformers
CLIPModel, an open_clip CLIP and a LLaVA-1.5, each with a tokenizer trained here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

PROMPT_WORDS = (
    "USER: ASSISTANT: What type of object is in this photo? Choose one from: a photo of a "
    "the an it is I think this"
)


def train_tokenizer(words: list[str], vocab_size: int = 400):
    """A byte-level BPE tokenizer (any text encodes) with <s> ... </s> around each text."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<unk>", "<s>", "</s>", "<pad>", "<image>"]
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator([PROMPT_WORDS, *words] * 3, trainer)
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 1), ("</s>", 2)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        extra_special_tokens={"image_token": "<image>"},
    )


def hf_clip(folder: Path, words: list[str]) -> Path:
    """A random transformers CLIPModel (16-d embeddings, 32-px images) with its processors."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel

    tokenizer = train_tokenizer(words)
    config = CLIPConfig(
        text_config={
            "vocab_size": len(tokenizer),
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "max_position_embeddings": 77,
            "bos_token_id": tokenizer.bos_token_id,
            "eos_token_id": tokenizer.eos_token_id,
            "pad_token_id": tokenizer.pad_token_id,
        },
        vision_config={
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "image_size": 32,
            "patch_size": 8,
        },
        projection_dim=16,
    )
    torch.manual_seed(0)
    CLIPModel(config).save_pretrained(folder)
    tokenizer.model_max_length = 77
    tokenizer.save_pretrained(folder)
    processor = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size=32)
    processor.save_pretrained(folder)
    return folder


OPENCLIP_CONFIG = {
    "model_cfg": {
        "embed_dim": 16,
        "vision_cfg": {
            "image_size": 32,
            "layers": 2,
            "width": 32,
            "head_width": 16,
            "patch_size": 8,
        },
        "text_cfg": {
            "context_length": 16,
            "vocab_size": 49408,
            "width": 32,
            "heads": 2,
            "layers": 2,
        },
    },
    "preprocess_cfg": {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]},
}


def openclip(folder: Path) -> Path:
    """A random open_clip CLIP in a local folder (config + safetensors), with its BPE tokenizer."""
    import open_clip
    import torch
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    model = open_clip.CLIP(**OPENCLIP_CONFIG["model_cfg"])
    (folder / "open_clip_config.json").write_text(json.dumps(OPENCLIP_CONFIG))
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, folder / "open_clip_model.safetensors")
    return folder


def llava(folder: Path, words: list[str]) -> Path:
    """A random LLaVA-1.5 (CLIP vision tower, Llama language model) with processor."""
    import torch
    from transformers import (
        CLIPImageProcessor,
        CLIPVisionConfig,
        LlamaConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
    )

    tokenizer = train_tokenizer(words, vocab_size=600)
    vision = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        image_size=32,
        patch_size=8,
    )
    text = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=512,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    config = LlavaConfig(
        vision_config=vision,
        text_config=text,
        image_token_id=tokenizer.convert_tokens_to_ids("<image>"),
        vision_feature_layer=-2,
        vision_feature_select_strategy="default",
    )
    torch.manual_seed(0)
    LlavaForConditionalGeneration(config).save_pretrained(folder)
    processor = LlavaProcessor(
        image_processor=CLIPImageProcessor(size={"shortest_edge": 32}, crop_size=32),
        tokenizer=tokenizer,
        patch_size=8,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,
    )
    processor.save_pretrained(folder)
    return folder


# Fixtures ---------------------------------------------------------------------------------------

# Three ImageNet classes, each drawn as its own colour with noise.
CLASSES = {"tench": (200, 40, 40), "goldfish": (40, 200, 40), "great white shark": (40, 40, 200)}


def draw(colour: tuple[int, int, int], seed: int, size: tuple[int, int] = (48, 40)):
    """A noisy image of one colour (a PIL image)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    pixels = np.clip(rng.normal(colour, 30, (size[1], size[0], 3)), 0, 255).astype("uint8")
    return Image.fromarray(pixels)


@pytest.fixture(scope="session")
def image_manifest(tmp_path_factory) -> Path:
    """A manifest JSONL in the paper's shape over 9 JPEGs (3 per class) below its folder."""
    pytest.importorskip("PIL")
    root = tmp_path_factory.mktemp("images")
    lines = []
    for number, (name, colour) in enumerate(CLASSES.items()):
        for copy in range(3):
            relative = f"./data/val/{number}_{copy}.jpg"
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            draw(colour, seed=10 * number + copy).save(root / relative)
            lines.append({"image": relative, "label": name, "split": "val"})
    manifest = root / "manifest.jsonl"
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return manifest


@pytest.fixture(scope="session")
def tiny_hf_clip(tmp_path_factory) -> Path:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    return hf_clip(tmp_path_factory.mktemp("hf_clip"), list(CLASSES))


@pytest.fixture(scope="session")
def tiny_openclip(tmp_path_factory) -> Path:
    pytest.importorskip("torch")
    pytest.importorskip("open_clip")
    return openclip(tmp_path_factory.mktemp("openclip"))


@pytest.fixture(scope="session")
def tiny_llava(tmp_path_factory) -> Path:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    return llava(tmp_path_factory.mktemp("llava"), list(CLASSES))
