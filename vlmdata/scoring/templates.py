"""Zero-shot CLIP prompt templates per label set, as data.

Taken unchanged from the clip_benchmark package (version 1.6.2), whose license follows:

    MIT License

    Copyright (c) 2022, Mehdi Cherti

    Permission is hereby granted, free of charge, to any person obtaining a copy
    of this software and associated documentation files (the "Software"), to deal
    in the Software without restriction, including without limitation the rights
    to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
    copies of the Software, and to permit persons to whom the Software is
    furnished to do so, subject to the following conditions:

    The above copyright notice and this permission notice shall be included in all
    copies or substantial portions of the Software.

    THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
    IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
    FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
    AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
    LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
    OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
    SOFTWARE.
"""

from __future__ import annotations

TEMPLATES: dict[str, tuple[str, ...]] = {
    "imagenet": (
        "a bad photo of a {c}.",
        "a photo of many {c}.",
        "a sculpture of a {c}.",
        "a photo of the hard to see {c}.",
        "a low resolution photo of the {c}.",
        "a rendering of a {c}.",
        "graffiti of a {c}.",
        "a bad photo of the {c}.",
        "a cropped photo of the {c}.",
        "a tattoo of a {c}.",
        "the embroidered {c}.",
        "a photo of a hard to see {c}.",
        "a bright photo of a {c}.",
        "a photo of a clean {c}.",
        "a photo of a dirty {c}.",
        "a dark photo of the {c}.",
        "a drawing of a {c}.",
        "a photo of my {c}.",
        "the plastic {c}.",
        "a photo of the cool {c}.",
        "a close-up photo of a {c}.",
        "a black and white photo of the {c}.",
        "a painting of the {c}.",
        "a painting of a {c}.",
        "a pixelated photo of the {c}.",
        "a sculpture of the {c}.",
        "a bright photo of the {c}.",
        "a cropped photo of a {c}.",
        "a plastic {c}.",
        "a photo of the dirty {c}.",
        "a jpeg corrupted photo of a {c}.",
        "a blurry photo of the {c}.",
        "a photo of the {c}.",
        "a good photo of the {c}.",
        "a rendering of the {c}.",
        "a {c} in a video game.",
        "a photo of one {c}.",
        "a doodle of a {c}.",
        "a close-up photo of the {c}.",
        "a photo of a {c}.",
        "the origami {c}.",
        "the {c} in a video game.",
        "a sketch of a {c}.",
        "a doodle of the {c}.",
        "a origami {c}.",
        "a low resolution photo of a {c}.",
        "the toy {c}.",
        "a rendition of the {c}.",
        "a photo of the clean {c}.",
        "a photo of a large {c}.",
        "a rendition of a {c}.",
        "a photo of a nice {c}.",
        "a photo of a weird {c}.",
        "a blurry photo of a {c}.",
        "a cartoon {c}.",
        "art of a {c}.",
        "a sketch of the {c}.",
        "a embroidered {c}.",
        "a pixelated photo of a {c}.",
        "itap of the {c}.",
        "a jpeg corrupted photo of the {c}.",
        "a good photo of a {c}.",
        "a plushie {c}.",
        "a photo of the nice {c}.",
        "a photo of the small {c}.",
        "a photo of the weird {c}.",
        "the cartoon {c}.",
        "art of the {c}.",
        "a drawing of the {c}.",
        "a photo of the large {c}.",
        "a black and white photo of a {c}.",
        "the plushie {c}.",
        "a dark photo of a {c}.",
        "itap of a {c}.",
        "graffiti of the {c}.",
        "a toy {c}.",
        "itap of my {c}.",
        "a photo of a cool {c}.",
        "a photo of a small {c}.",
        "a tattoo of the {c}.",
    ),
    "stanford_cars": (
        "a photo of a {c}.",
        "a photo of the {c}.",
        "a photo of my {c}.",
        "i love my {c}!",
        "a photo of my dirty {c}.",
        "a photo of my clean {c}.",
        "a photo of my new {c}.",
        "a photo of my old {c}.",
    ),
    "flowers102": ("a photo of a {c}, a type of flower.",),
    "caltech101": (
        "a photo of a {c}.",
        "a painting of a {c}.",
        "a plastic {c}.",
        "a sculpture of a {c}.",
        "a sketch of a {c}.",
        "a tattoo of a {c}.",
        "a toy {c}.",
        "a rendition of a {c}.",
        "a embroidered {c}.",
        "a cartoon {c}.",
        "a {c} in a video game.",
        "a plushie {c}.",
        "a origami {c}.",
        "art of a {c}.",
        "graffiti of a {c}.",
        "a drawing of a {c}.",
        "a doodle of a {c}.",
        "a photo of the {c}.",
        "a painting of the {c}.",
        "the plastic {c}.",
        "a sculpture of the {c}.",
        "a sketch of the {c}.",
        "a tattoo of the {c}.",
        "the toy {c}.",
        "a rendition of the {c}.",
        "the embroidered {c}.",
        "the cartoon {c}.",
        "the {c} in a video game.",
        "the plushie {c}.",
        "the origami {c}.",
        "art of the {c}.",
        "graffiti of the {c}.",
        "a drawing of the {c}.",
        "a doodle of the {c}.",
    ),
}
