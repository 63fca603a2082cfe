"""The small framework every conversation is written in (flows, steps, registry, context) and the
feature manifest. Nothing here knows a feature or a channel."""

from handlers.framework.context import Context, run_command, run_fallback
from handlers.framework.flow import Flow, Input, Step
from handlers.framework.manifest import (
    Application,
    CliCommand,
    CliContext,
    Figure,
    Job,
    JobContext,
    Manifest,
    StatsScope,
    application,
)
from handlers.framework.registry import WORK_SECTION, CommandSpec, Fallback, HelpSection, MenuItem, Registry, merge
from handlers.framework.services import Services

__all__ = [
    "WORK_SECTION",
    "Application",
    "CliCommand",
    "CliContext",
    "CommandSpec",
    "Context",
    "Fallback",
    "Figure",
    "Flow",
    "HelpSection",
    "Input",
    "Job",
    "JobContext",
    "Manifest",
    "MenuItem",
    "Registry",
    "Services",
    "StatsScope",
    "Step",
    "application",
    "merge",
    "run_command",
    "run_fallback",
]
