"""vf.optim: SGD, Adam, AdamW, Adadelta, RMSprop, Adagrad and learning-rate schedules.

How updates reach the parameters (what a graph tracer can rely on): every write to a
parameter or to optimiser state is one call of `vizflow_engine.dispatch.dispatch` with a
registered, non-differentiable, in-place op from `vizflow_engine.ops.updates`, made under
`no_grad()`:

- `sgd_update_(param, grad, lr; weight_decay)` — SGD without momentum;
- `sgd_momentum_update_(param, grad, buf, step, lr; momentum, dampening, nesterov,
  weight_decay)` — writes param, buf and step;
- `adam_update_(param, grad, m, v, step, lr; beta1, beta2, eps, weight_decay, decoupled)` —
  Adam and AdamW (decoupled=True); writes param, m, v and step;
- `assign(target, value)` — copies value into target (used for a changed learning rate and
  for batch-norm running statistics).

Adadelta, RMSprop and Adagrad compute each new value with ordinary elementwise ops and write
it with `assign` (one assign per parameter or state tensor).

Each op mutates the memory of the inputs listed above and returns (an alias of) input 0;
nothing is rebound, so Tensor identities (parameters, state) never change. State tensors
(momentum buffers, m, v, int64 0-d step counters) are created as zeros on a parameter's
first update; the learning rate is a 0-d float64 tensor per group (group["lr_tensor"]), so a
scheduler changes it without changing any op's params. Under `@vf.function` that tensor is a
graph variable, and the optimizer registers a refresh the compiled step runs before each
call (`before_each_call` in graph/trace.py), so lr changes need no new trace. `zero_grad()`
only sets p.grad to None (or zeroes it); gradients come from backward as usual.
"""

from __future__ import annotations

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Optimizer",
    "RMSprop",
    "lr_scheduler",
]


from .._api import public_dir

__dir__ = public_dir(__all__)
