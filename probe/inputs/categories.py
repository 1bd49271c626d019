"""Citizen Lab test-lists category codes, so lists stay comparable with OONI's.

Descriptions are those of citizenlab/test-lists ``lists/00-LEGEND-new_category_codes.csv``;
MISC is not in that legend but is used by the country lists.
"""

from __future__ import annotations

CATEGORIES: dict[str, str] = {
    "ALDR": "Alcohol & Drugs",
    "REL": "Religion",
    "PORN": "Pornography",
    "PROV": "Provocative Attire",
    "POLR": "Political Criticism",
    "HUMR": "Human Rights Issues",
    "ENV": "Environment",
    "MILX": "Terrorism and Militants",
    "HATE": "Hate Speech",
    "NEWS": "News Media",
    "XED": "Sex Education",
    "PUBH": "Public Health",
    "GMB": "Gambling",
    "ANON": "Anonymization and circumvention tools",
    "DATE": "Online Dating",
    "GRP": "Social Networking",
    "LGBT": "LGBT",
    "FILE": "File-sharing",
    "HACK": "Hacking Tools",
    "COMT": "Communication Tools",
    "MMED": "Media sharing",
    "HOST": "Hosting and Blogging Platforms",
    "SRCH": "Search Engines",
    "GAME": "Gaming",
    "CULTR": "Culture",
    "ECON": "Economics",
    "GOVT": "Government",
    "COMM": "E-commerce",
    "CTRL": "Control content",
    "IGO": "Intergovernmental Organizations",
    "MISC": "Miscellaneous content",
}

CITIZEN_LAB_COLUMNS: tuple[str, ...] = (
    "url",
    "category_code",
    "category_description",
    "date_added",
    "source",
    "notes",
)
"""The test-lists header, in order; a CSV that uses any of these besides ``url`` needs all six."""
