"""The cycle collector paused around a job, and what it finds when it is turned on again."""

import gc

from analysis.collector import collector_paused


class _Marker:
    """A container the collector tracks, told apart by identity."""


def _in_generation(obj: object, generation: int) -> bool:
    return any(o is obj for o in gc.get_objects(generation=generation))


def test_objects_made_while_paused_are_in_the_oldest_generation_after():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        made = [_Marker() for _ in range(1000)]
    assert gc.isenabled()
    assert _in_generation(made[0], 2) and _in_generation(made, 2)
    assert not _in_generation(made[0], 0)
    assert gc.get_freeze_count() == 0


def test_a_cycle_made_while_paused_is_still_freed_by_a_full_collection():
    with collector_paused():
        cycle = [_Marker()]
        cycle.append(cycle)
        marker_id = id(cycle[0])
    del cycle
    gc.collect()
    assert not any(id(o) == marker_id for o in gc.get_objects() if isinstance(o, _Marker))


def test_objects_someone_froze_stay_frozen():
    frozen_before = gc.get_freeze_count()
    kept = [_Marker()]
    gc.freeze()
    try:
        held = gc.get_freeze_count()
        with collector_paused():
            _ = [_Marker() for _ in range(100)]
        assert gc.get_freeze_count() == held > frozen_before
    finally:
        gc.unfreeze()
    assert kept


def test_nested_pauses_turn_the_collector_on_only_at_the_outer_end():
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
