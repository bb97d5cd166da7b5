"""Which memory each value of a plan lives in, so a session knows when a past value has been
overwritten by a later step (plans reuse buffers; a kept-values plan never does)."""

from __future__ import annotations

from bisect import bisect_right

from ..graph.executor.plan import Plan
from ..graph.graph_ops import mutates

Key = tuple[str, int]


class Storage:
    """For every value: its memory (a buffer, a variable, or its own), and the steps writing it."""

    def __init__(self, plan: Plan) -> None:
        self._plan = plan
        # memoised _root: a chain of n in-place steps costs O(n) in all, not O(n²)
        self._roots: dict[int, int] = {}
        self._writes: dict[Key, list[int]] = {}
        self._step_of: dict[int, int] = {}
        for k, ins in enumerate(plan.instrs):
            uid = plan.graph.out[ins.node].uid
            self._step_of[uid] = k
            self._writes.setdefault(self.key(uid), []).append(k)

    def _root(self, uid: int) -> int:
        """The value whose memory uid shares (through views and in-place results)."""
        mp = self._plan.memory
        path = [uid]
        seen = {uid}
        root = uid
        while root not in self._roots:
            nxt = mp.alias_of.get(root, mp.inplace.get(root))
            if nxt is None or nxt in seen:
                break
            seen.add(nxt)
            path.append(nxt)
            root = nxt
        root = self._roots.get(root, root)
        for u in path:
            self._roots[u] = root
        return root

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

    def last_writes(self, kept_for: int | None = None) -> list[bool]:
        """For each step: whether its output lives in the run's own memory (a plan buffer, or
        an array a step made; not a variable's, an input's or a constant's) that no later step
        writes (a view reads it, it does not write it), so the value stays as it is for the
        rest of the run (the updates at its end write variables only); with kept_for, also
        where the next write comes more than kept_for steps later (a plan spacing its buffers'
        reuse for a history that lets a value go after kept_for later ones)."""
        plan = self._plan
        mp = plan.memory
        keys = [self.key(plan.graph.out[ins.node].uid) for ins in plan.instrs]
        writes = [
            plan.graph.out[ins.node].uid not in mp.alias_of or mutates(ins.node.op)
            for ins in plan.instrs
        ]  # a view reads its memory, it does not write it
        after: list[int | None] = [None] * len(keys)  # the next step writing the same memory
        nxt: dict[Key, int] = {}
        for k in range(len(keys) - 1, -1, -1):
            after[k] = nxt.get(keys[k])
            if writes[k]:
                nxt[keys[k]] = k
        return [
            (key[0] == "b" or (key[1] in self._step_of and key[1] not in mp.var_inplace))
            and (a is None or (kept_for is not None and a - k > kept_for))
            for k, (key, a) in enumerate(zip(keys, after, strict=True))
        ]
