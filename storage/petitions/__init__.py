"""Petitions (góp ý, kiến nghị, phản ánh, khiếu nại, tố cáo): the domain services flows call.

Everything public is re-exported here; see ``/work/notes/cases_api.md`` for the contract. Services
flush but never commit (the caller owns the transaction) and refuse with ``DomainError`` subclasses.
"""

from storage.petitions.actions import (IdentityView, acknowledge, add_note, assign, extend, reject, reply, request_info,
                                   resolve, resume, reveal_identity, start, transfer)
from storage.petitions.codes import check_char, is_valid, new_code, parse_code
from storage.petitions.config import CasesConfig, Category, RouteRule, config_for, load_config, responsible_unit
from storage.petitions.errors import (AlreadyRated, DescriptionLength, FileRejected, InvalidInput, InvalidTransition,
                                  MalformedCode, ReopenNotAllowed, RouteRuleViolation, TooManyAttachments)
from storage.petitions.files import (DOCUMENT_MAX_BYTES, PHOTO_MAX_BYTES, VOICE_MAX_BYTES, FileStore, LocalFileStore,
                                 StoredFile, check_size, get_store, sniff, store_upload)
from storage.petitions.notify import format_due, locale_of
from storage.petitions.queries import (CaseAccess, CaseView, OverdueCase, PublicCase, QueuePage, UnitStats, allowed_actions,
                                   attachments_of, auto_close, case_view, history, mine, notify_overdue, overdue,
                                   public_cases, queue, scrub, stats_by_unit, visible_case)
from storage.petitions.resident import (add_info, deidentify_author, follow, rate, reopen, similar_open_cases, unfollow,
                                    withdraw)
from storage.petitions.rules import (ACTIONS, BUTTON_PREFIX, DESCRIPTION_MAX, DESCRIPTION_MIN, MAX_ATTACHMENTS,
                                 OPEN_STATUSES, OUTCOME_LABELS, OUTCOMES, REVEALED_MASK, ROUTE_EXPLANATIONS,
                                 ROUTE_LABELS, ROUTES, STATUS_LABELS, STATUSES, TRANSITIONS, outcome_label,
                                 route_label, status_label)
from storage.petitions.submit import IdentityInput, NewCase, SubmitResult, check_description, submit

__all__ = [
    "ACTIONS", "BUTTON_PREFIX", "DESCRIPTION_MAX", "DESCRIPTION_MIN", "DOCUMENT_MAX_BYTES", "MAX_ATTACHMENTS",
    "OPEN_STATUSES", "OUTCOMES", "OUTCOME_LABELS", "PHOTO_MAX_BYTES", "REVEALED_MASK", "ROUTES",
    "ROUTE_EXPLANATIONS", "ROUTE_LABELS", "STATUSES", "STATUS_LABELS", "TRANSITIONS", "VOICE_MAX_BYTES",
    "AlreadyRated", "CaseAccess", "CaseView", "CasesConfig", "Category", "DescriptionLength", "FileRejected",
    "FileStore", "IdentityInput", "IdentityView", "InvalidInput", "InvalidTransition", "LocalFileStore",
    "MalformedCode", "NewCase", "OverdueCase", "PublicCase", "QueuePage", "ReopenNotAllowed", "RouteRule", "RouteRuleViolation",
    "StoredFile", "SubmitResult", "TooManyAttachments", "UnitStats",
    "acknowledge", "add_info", "add_note", "allowed_actions", "assign", "attachments_of", "auto_close",
    "case_view", "check_char", "check_description", "check_size", "config_for", "deidentify_author", "extend",
    "follow", "format_due", "get_store", "history", "is_valid", "load_config", "locale_of", "mine", "new_code",
    "notify_overdue", "outcome_label", "overdue", "parse_code", "public_cases", "queue", "rate", "reject",
    "reopen", "reply", "request_info", "resolve", "responsible_unit", "resume", "reveal_identity", "route_label",
    "scrub", "similar_open_cases", "sniff", "start", "stats_by_unit", "status_label", "store_upload", "submit",
    "transfer", "unfollow", "visible_case", "withdraw",
]
