"""The step-through debugger's engine side: sessions that drive a plan's stepped run."""

from .api import debug
from .breakpoints import Breakpoint
from .gradcheck import GradCheck
from .health import Health
from .history import History, Step
from .replay import Recording, record
from .session import STATES, DebugSession, StepEvent
from .whatif import WhatIfError, apply_whatif

__all__ = [
    "STATES",
    "Breakpoint",
    "DebugSession",
    "GradCheck",
    "Health",
    "History",
    "Recording",
    "Step",
    "StepEvent",
    "WhatIfError",
    "apply_whatif",
    "debug",
    "record",
]


from .._api import public_dir

__dir__ = public_dir(__all__)
