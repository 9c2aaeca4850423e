"""Built-in name lists for the demo: common forenames and invented surnames.

Every surname here is made up (plant-and-brook compounds), so a demo child or worker is
obviously fictional; no list is drawn from real records.
"""

from __future__ import annotations

MALE_FORENAMES = (
    "Alfie", "Ben", "Callum", "Dylan", "Ethan", "Finley", "George", "Harry", "Isaac", "Jack",
    "Kai", "Leo", "Mason", "Noah", "Oscar", "Reuben", "Sam", "Theo", "Tyler", "Zane",
    "Adam", "Elias", "Omar", "Yusuf",
)  # fmt: skip

FEMALE_FORENAMES = (
    "Amelia", "Bella", "Chloe", "Daisy", "Ella", "Freya", "Grace", "Holly", "Isla", "Jasmine",
    "Keira", "Lily", "Maisie", "Nina", "Olivia", "Poppy", "Rosie", "Sophie", "Tilly", "Zara",
    "Amira", "Hana", "Leila", "Maya",
)  # fmt: skip

NEUTRAL_FORENAMES = ("Alex", "Charlie", "Jordan", "Riley", "Robin", "Sky")

FORENAMES = MALE_FORENAMES + FEMALE_FORENAMES + NEUTRAL_FORENAMES

SURNAMES = (
    "Applebridge", "Bramblewick", "Cobblefield", "Dunnowby", "Elderquill", "Fernhollow",
    "Gorsemoor", "Hazelwhit", "Inkwood", "Juniperdale", "Kettlebrook", "Larkspurrow",
    "Meadowquist", "Nettlecombe", "Oakhollow", "Pebblewick", "Quinceford", "Rushmeadow",
    "Sorrelby", "Thistledown", "Umberfield", "Violetmoor", "Willowquay", "Yarrowby",
    "Zephyrcombe", "Acornwick", "Birchwhistle", "Cloverdeane", "Dewberrow", "Emberquist",
    "Foxglovely", "Gingerwick", "Hollyquist", "Ivystone", "Jasperwell", "Kingfishby",
    "Lindenquay", "Mossbury", "Nutmegson", "Orchardly", "Primrosby", "Quillfeather",
    "Rowanquist", "Saffronby", "Tansywick", "Wrenwhistle", "Yewbrook", "Zinniafield",
)  # fmt: skip

#: Invented place words for school and children's home names.
PLACE_WORDS = (
    "Fenbrook", "Marshgate", "Willowmere", "Reedham Cross", "Larkfield", "Osierbank",
    "Heronwade", "Sedgecombe", "Dykeside", "Eelbrook", "Puddingstone", "Lodeway",
    "Meadowlode", "Windmill Rise", "Ouseholme", "Nene Vale", "Cowslip Green", "Droveway",
    "Ferryhill Lane", "Chalkpit", "Beaconsmead", "Orchard Hythe", "Kestrel Fen", "Mereside",
)  # fmt: skip


def forenames_for(sex: str) -> tuple[str, ...]:
    """The forename list for a 903 sex code (M, F, U)."""
    if sex == "M":
        return MALE_FORENAMES
    if sex == "F":
        return FEMALE_FORENAMES
    return NEUTRAL_FORENAMES
