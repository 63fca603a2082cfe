"""API keys of other systems (the Open311 API): models, services, queries. Infrastructure, like
``storage.audit``: no feature manifest, no chat flows."""

from storage.apikeys.claims import ClaimOutcome, ClaimResult, claim_case, claimable_case, phone_key, tries_left
from storage.apikeys.queries import ApiCase, StatusChange, api_cases, filings, key_units, list_keys, status_changes
from storage.apikeys.services import (
    KEY_PREFIX,
    Contact,
    KeyRefused,
    KeyThrottled,
    audit_request,
    authenticate,
    author_for,
    create_key,
    forget_contact,
    hash_key,
    record_filing,
    revoke_key,
)

__all__ = [
    "KEY_PREFIX",
    "ApiCase",
    "ClaimOutcome",
    "ClaimResult",
    "Contact",
    "KeyRefused",
    "KeyThrottled",
    "StatusChange",
    "api_cases",
    "audit_request",
    "authenticate",
    "author_for",
    "claim_case",
    "claimable_case",
    "create_key",
    "filings",
    "forget_contact",
    "hash_key",
    "key_units",
    "list_keys",
    "phone_key",
    "record_filing",
    "revoke_key",
    "status_changes",
    "tries_left",
]
