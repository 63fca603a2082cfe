"""Administrative units as versioned data: loading, lookup and the typed-name resolver."""

from storage.units.services import (
    MAX_CANDIDATES,
    TIMEZONE,
    by_code,
    current_communes,
    current_successor,
    descendant_ids,
    display_name,
    get,
    load_deployment_units,
    resolve_commune,
    resolve_village,
    today,
    units_table,
    villages_of,
    ward_of,
)

__all__ = [
    "MAX_CANDIDATES",
    "TIMEZONE",
    "by_code",
    "current_communes",
    "current_successor",
    "descendant_ids",
    "display_name",
    "get",
    "load_deployment_units",
    "resolve_commune",
    "resolve_village",
    "today",
    "units_table",
    "villages_of",
    "ward_of",
]
