"""Target lists: Citizen Lab CSV or plain text, validated with ``file:line`` errors."""

from probe.inputs.categories import CATEGORIES, CITIZEN_LAB_COLUMNS
from probe.inputs.errors import ListError
from probe.inputs.lookup import available_lists, find_list, lists_dir
from probe.inputs.parse import URL_ARGUMENT, load_list, parse_list, targets_from_urls
from probe.inputs.targets import Target

__all__ = [
    "CATEGORIES",
    "CITIZEN_LAB_COLUMNS",
    "URL_ARGUMENT",
    "ListError",
    "Target",
    "available_lists",
    "find_list",
    "lists_dir",
    "load_list",
    "parse_list",
    "targets_from_urls",
]
