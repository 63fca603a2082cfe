"""Imports every flow module so that their commands, steps and actions register themselves."""

import handlers.common  # noqa: F401
import handlers.join  # noqa: F401
import handlers.profile  # noqa: F401
import handlers.start  # noqa: F401
