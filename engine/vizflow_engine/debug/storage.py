"""Which memory each value of a plan lives in, so a session knows when a past value has been
overwritten by a later step (plans reuse buffers; a kept-values plan never does)."""

from __future__ import annotations

from bisect import bisect_right

from ..graph.executor.plan import Plan

Key = tuple[str, int]


class Storage:
    """For every value: its memory (a buffer, a variable, or its own), and the steps writing it."""

    def __init__(self, plan: Plan) -> None:
        self._plan = plan
        self._writes: dict[Key, list[int]] = {}
        self._step_of: dict[int, int] = {}
        for k, ins in enumerate(plan.instrs):
            uid = plan.graph.out[ins.node].uid
            self._step_of[uid] = k
            self._writes.setdefault(self.key(uid), []).append(k)

    def _root(self, uid: int) -> int:
        """The value whose memory uid shares (through views and in-place results)."""
        mp = self._plan.memory
        seen = {uid}
        while True:
            nxt = mp.alias_of.get(uid, mp.inplace.get(uid))
            if nxt is None or nxt in seen:
                return uid
            seen.add(nxt)
            uid = nxt

    def key(self, uid: int) -> Key:
        """The memory uid lives in: ("b", buffer), or ("o", owner uid) for its own array or a
        variable's (a node computing straight into a variable shares the variable's key)."""
        mp = self._plan.memory
        r = self._root(uid)
        if r in mp.buffer_of:
            return ("b", mp.buffer_of[r])
        var = mp.var_inplace.get(r)
        return ("o", var.uid if var is not None else r)

    def overwritten(self, uid: int, pc: int) -> int | None:
        """The step (run before pc) that overwrote uid's value since it was made, or None."""
        made = self._step_of.get(uid, -1)
        steps = self._writes.get(self.key(uid), [])
        i = bisect_right(steps, made)
        return steps[i] if i < len(steps) and steps[i] < pc else None
