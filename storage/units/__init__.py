"""Administrative units as versioned data: loading, lookup and the typed-name resolver."""

from storage.units.services import (
    TIMEZONE,
    MAX_CANDIDATES,
    today,
    display_name,
    load_deployment_units,
    get,
    by_code,
    current_communes,
    villages_of,
    current_successor,
    ward_of,
    descendant_ids,
    units_table,
    resolve_commune,
    resolve_village,
)

__all__ = [
    "TIMEZONE",
    "MAX_CANDIDATES",
    "today",
    "display_name",
    "load_deployment_units",
    "get",
    "by_code",
    "current_communes",
    "villages_of",
    "current_successor",
    "ward_of",
    "descendant_ids",
    "units_table",
    "resolve_commune",
    "resolve_village",
]
