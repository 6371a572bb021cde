"""Curated knowledge about classes whose names are used in other senses in image-text corpora.

WordNet ranks senses by their frequency in edited prose (SemCor); captions and chat about
images use some words differently: "cricket" is mostly the game, "tank" mostly a toilet or fish
tank, "TV" is the usual name of the television. These small tables, keyed by WordNet id so that
they follow a class into any label set, correct that:

- CURATED_CUES: extra cue words of a class (the context that speaks for it);
- SENSE_CUES: extra cue words of a competing sense (the context that speaks against a class);
- USUAL_SENSES: forms that need context, with the sense they usually have instead of the class;
- EXTRA_FORMS: common names WordNet lacks for a class (abbreviations, spaced spellings);
- DROPPED_FORMS: WordNet lemmas of a class that image texts do not use for it (`light`);
- EXTRA_TERMS: longer terms WordNet lacks that contain a class form but name something else.
"""

from __future__ import annotations

# Context words for classes whose forms often mean something else in image-text corpora. They are
# taken as given, even when they are words of the class's own names ("computer" for `mouse`).
CURATED_CUES: dict[str, str] = {
    # computer mouse, monitor
    "n03793489": "computer keyboard laptop desk monitor click wireless cursor scroll desktop pad "
    "mousepad workstation usb",
    "n03782006": "computer keyboard desk desktop display screen workstation mouse laptop "
    "monitors office setup",
    # orange, lemon
    "n07747607": "fruit fruits citrus peel peeled juicy slice slices bowl banana bananas apple "
    "apples lemon lemons eat eating sweet basket tree vitamin produce grocery",
    "n07749582": "fruit fruits citrus slice slices juice sour lime limes orange oranges bowl "
    "peel zest squeeze",
    # kite (the bird), crane (the bird), crane (the machine), tank (the vehicle)
    "n01608432": "bird birds prey raptor hawk falcon eagle perched talons feathers beak wingspan",
    "n02012849": "bird birds wading wader heron stork marsh wetland feathers beak flock pond "
    "lake legs neck wings",
    "n03126707": "construction building site lifting lift lifts heavy tower boom cargo steel "
    "beam beams container port machinery operator skyscraper load",
    "n04389033": "army military soldier soldiers battle war armored armoured turret cannon tracks "
    "combat drive drives driving explosion",
    # plate, tea cup, stove, remote control, racket
    "n07579787": "food meal dish served serving dinner lunch breakfast sandwich fork knife eat "
    "eating rice meat vegetables salad pasta pizza cake fries dessert donut cookie chocolate "
    "bread slice cheese fruit",
    "n07930864": "tea coffee drink drinking mug saucer hot milk juice water sip beverage "
    "espresso cappuccino",
    "n04330267": "kitchen cook cooking oven pot pots pan pans burner burners range top "
    "stovetop kettle appliances appliance",
    "n04074963": "control controller controllers wii television tv couch game games video "
    "buttons channel playing gaming",
    "n04039381": "tennis player ball court swing swinging serve hit badminton squash",
    # purse, pier, T-shirt (jersey)
    "n04026417": "handbag bag leather carrying carry shoulder wallet woman holding clutch",
    "n03933933": "boat boats water lake dock harbor sea ocean river fishing wooden shore beach",
    "n03595614": "wearing wear player players team number sports uniform baseball football "
    "soccer basketball hockey shirt shorts",
    # cricket (the insect), notebook computer, computer keyboard
    "n02229544": "insect insects bug bugs grasshopper grasshoppers chirp chirping antenna antennae "
    "leaf leaves grass perched macro garden",
    "n03832673": "computer computers laptop screen keyboard typing windows apple display mouse",
    "n03085013": "computer computers mouse monitor monitors desk desktop laptop screen screens "
    "typing office workstation wireless usb",
    # church (the building; WordNet ranks the congregation first), stage (the platform; WordNet
    # ranks the phase first): what captions of the building and of a performance mention
    "n03028079": "facade dome domes steeple spire spires belfry bell bells tower towers stained "
    "glass window windows altar pulpit interior ceiling ruins ruin abandoned ancient medieval "
    "gothic baroque architecture built stone brick wedding village town square view landmark "
    "monastery cemetery graveyard",
    "n04296562": "concert concerts perform performs performed performing performer performers "
    "band bands music musician musicians musical singer singers sings singing guitar "
    "guitarist guitarists drummer bassist microphone festival actor actress dancer dancers "
    "dancing comedian spotlight",
    # television (pictured as a set)
    "n04404412": "watch watching watched screen screens wall mounted couch sofa remote living room "
    "stand flat cabinet entertainment console game games gaming bedroom furniture front bathroom "
    "mirror vintage bed corner setup",
}

# Competing senses (WordNet synset names) whose context is weighed against a class's: their cue
# words are those WordNet gives them plus these. A form whose competing sense is not listed counts
# when any cue word of its class is near (close senses such as the sausage and the sandwich
# `hot dog` share too much context to be weighed).
SENSE_CUES: dict[str, str] = {
    "volleyball.n.01": "match team court player players beach net tournament",
    "cricket.n.02": "match team player players bat batsman bowler bowled wicket innings test "
    "stadium ground pitch score scored shot series cricketer",
    "notebook.n.01": "pen pens pencil pencils paper write writing written page pages notes "
    "spiral book books journal diary",
    "carriage.n.02": "horse horses drawn pulled pulling pull wedding buggy coachman driver",
    "tank.n.02": "toilet toilets water fuel gas fish aquarium propane oil storage septic flush "
    "lid cover bathroom",
    "keyboard.n.01": "piano music musical musician organ synthesizer playing play band",
    "iron.n.01": "metal metals steel rusty rust rusted cast wrought scrap pipe pipes gate gates "
    "fence railing railings nutrient nutrients mineral minerals vitamin vitamins calcium zinc "
    "protein fiber potassium magnesium rich source",
    "television.n.01": "show shows program programme programs series character characters "
    "personality genre host producer drama sitcom star network channel episode news presenter "
    "journalist actor actress premiere",
}

# Forms that usually mean another sense in image-text corpora even where WordNet ranks the class
# first (or deems the other sense abstract): class -> form -> the usual sense. Their hits count
# only when the class's cue words outweigh those of that sense.
USUAL_SENSES: dict[str, dict[str, str]] = {
    "n02229544": {"cricket": "cricket.n.02"},  # the game, not the insect
    "n03770439": {"mini": "miniature.s.01"},  # small (mini cakes, a mini fridge), not a miniskirt
    "n03832673": {"notebook": "notebook.n.01"},  # paper, not the notebook computer
    "n03895866": {"carriage": "carriage.n.02"},  # drawn by horses, not the railway carriage
    "n04389033": {"tank": "tank.n.02"},  # toilet, fish or fuel tanks, not the army tank
    "n03085013": {"keyboard": "keyboard.n.01"},  # any keyboard, a piano's included
    "n04404412": {"tv": "television.n.01"},  # tv shows, characters and hosts, not the set
}

# Names of a class that WordNet does not list for its synset. ImageNet's `television` is the
# television system (n04404412), whose pictures show television sets.
EXTRA_FORMS: dict[str, tuple[str, ...]] = {
    "n04404412": ("tv", "tv set", "television set"),
    "n03085013": ("keyboard",),
    "n03770439": ("mini skirt",),
}

# WordNet lemmas of a class that image texts use for something else nearly always: `light` for
# the cigarette lighter (lamps, traffic lights, the verb). The class keeps its other names.
DROPPED_FORMS: dict[str, tuple[str, ...]] = {
    "n03666591": ("light",),
}

# Terms WordNet lacks that contain a class form but name something else: class -> term -> what
# it is (shown in the `part_of_term` reason). A water taxi is a boat, not a taxicab.
EXTRA_TERMS: dict[str, dict[str, str]] = {
    "n02930766": {"water taxi": "water_taxi"},
}
