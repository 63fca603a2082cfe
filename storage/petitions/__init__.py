"""Petitions (góp ý, kiến nghị, phản ánh, khiếu nại, tố cáo): models, services, permissions, queries.

Callers use the names re-exported here (``petitions.resolve``, ``petitions.queue`` …). Services flush
but never commit (the caller owns the transaction) and refuse with ``DomainError`` subclasses; every
change is announced through ``storage.petitions.signals``.
"""

from storage.petitions.codes import check_char, is_valid, new_code, parse_code
from storage.petitions.config import CasesConfig, Category, RouteRule, config_for, load_config, responsible_unit
from storage.petitions.errors import (
                                      AlreadyRated,
                                      DescriptionLength,
                                      FileRejected,
                                      InvalidInput,
                                      InvalidTransition,
                                      MalformedCode,
                                      ReopenNotAllowed,
                                      RouteRuleViolation,
                                      TooManyAttachments,
)
from storage.petitions.files import (
                                      DOCUMENT_MAX_BYTES,
                                      PHOTO_MAX_BYTES,
                                      VOICE_MAX_BYTES,
                                      FileStore,
                                      LocalFileStore,
                                      StoredFile,
                                      check_size,
                                      get_store,
                                      sniff,
                                      store_upload,
)
from storage.petitions.queries import (
                                      CaseAccess,
                                      CaseView,
                                      OverdueCase,
                                      PublicCase,
                                      QueuePage,
                                      allowed_actions,
                                      attachments_of,
                                      case_view,
                                      history,
                                      mine,
                                      overdue,
                                      public_cases,
                                      queue,
                                      scrub,
                                      similar_open_cases,
                                      staff_recipients,
                                      visible_case,
)
from storage.petitions.rules import (
                                      DESCRIPTION_MAX,
                                      DESCRIPTION_MIN,
                                      MAX_ATTACHMENTS,
                                      OPEN_STATUSES,
                                      OUTCOMES,
                                      PUBLISHABLE_ROUTES,
                                      REVEALED_MASK,
                                      ROUTES,
                                      STATUSES,
                                      TRANSITIONS,
                                      CaseAction,
)
from storage.petitions.services import (
                                      IdentityInput,
                                      IdentityView,
                                      NewCase,
                                      SubmitResult,
                                      acknowledge,
                                      add_info,
                                      add_note,
                                      assign,
                                      auto_close,
                                      check_description,
                                      deidentify_author,
                                      escalate_overdue,
                                      extend,
                                      follow,
                                      rate,
                                      reject,
                                      reopen,
                                      reply,
                                      request_info,
                                      resolve,
                                      resume,
                                      reveal_identity,
                                      start,
                                      submit,
                                      transfer,
                                      unfollow,
                                      withdraw,
)
from storage.petitions.stats import ScopeStats, UnitStats, scope_stats, stats_by_unit

__all__ = [
    "DESCRIPTION_MAX", "DESCRIPTION_MIN", "DOCUMENT_MAX_BYTES", "MAX_ATTACHMENTS", "OPEN_STATUSES", "OUTCOMES",
    "PHOTO_MAX_BYTES", "PUBLISHABLE_ROUTES", "REVEALED_MASK", "ROUTES", "STATUSES", "TRANSITIONS", "VOICE_MAX_BYTES",
    "AlreadyRated", "CaseAccess", "CaseAction", "CaseView", "CasesConfig", "Category", "DescriptionLength",
    "FileRejected", "FileStore", "IdentityInput", "IdentityView", "InvalidInput", "InvalidTransition",
    "LocalFileStore", "MalformedCode", "NewCase", "OverdueCase", "PublicCase", "QueuePage", "ReopenNotAllowed",
    "RouteRule", "RouteRuleViolation", "ScopeStats", "StoredFile", "SubmitResult", "TooManyAttachments", "UnitStats",
    "acknowledge", "add_info", "add_note", "allowed_actions", "assign", "attachments_of", "auto_close", "case_view",
    "check_char", "check_description", "check_size", "config_for", "deidentify_author", "escalate_overdue", "extend",
    "follow", "get_store", "history", "is_valid", "load_config", "mine", "new_code", "overdue", "parse_code",
    "public_cases", "queue", "rate", "reject", "reopen", "reply", "request_info", "resolve", "responsible_unit",
    "resume", "reveal_identity", "scope_stats", "scrub", "similar_open_cases", "sniff", "staff_recipients", "start",
    "stats_by_unit", "store_upload", "submit", "transfer", "unfollow", "visible_case", "withdraw",
]
