from feedback.analysis.suppression import display, suppress, suppress_row


def test_small_counts_are_hidden_and_zero_and_five_are_shown():
    assert [suppress(n) for n in (0, 1, 4, 5, 12)] == [0, None, None, 5, 12]
    assert display(None) == "<5"
    assert display(7) == "7"


def test_a_single_hidden_cell_in_a_row_takes_the_next_smallest_with_it():
    row = {"support": 30, "oppose": 3, "unsure": 8, "conditional": 0}
    out = suppress_row(row)
    assert out["oppose"] is None
    assert out["unsure"] is None  # otherwise oppose = total - the others
    assert out["support"] == 30
    assert out["conditional"] == 0
