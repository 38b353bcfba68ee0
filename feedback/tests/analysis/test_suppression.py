from feedback.analysis.suppression import PROTECTS, Release, display, suppress


def test_small_counts_are_hidden_and_zero_and_five_are_shown():
    assert [suppress(n) for n in (0, 1, 4, 5, 12)] == [0, None, None, 5, 12]
    assert display(None) == "<5"
    assert display(7) == "7"


def test_a_single_hidden_cell_in_a_row_takes_the_next_smallest_with_it():
    row = {"support": 30, "oppose": 3, "unsure": 8, "conditional": 0}
    release = Release()
    release.add("total", sum(row.values()), headline=True)
    for key, value in row.items():
        release.add(key, value)
    release.equal("total", list(row))
    out = release.solve()
    assert out["oppose"] is None
    # Otherwise oppose = total - the others; hidden to protect it, and labelled so (it is 8,
    # not "<5").
    assert out["unsure"] is PROTECTS
    assert out["support"] == 30
    assert out["conditional"] == 0
