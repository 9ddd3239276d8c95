import pytest

from autograder import registry


def test_the_exercises_have_fixed_ids_and_slugs():
    assert [(e.id, e.slug) for e in registry.EXERCISES] == [
        ("ex1", "forward"), ("ex2", "backward"), ("ex3", "dropout"), ("ex4", "weight-decay"),
        ("ex5", "optimizers"), ("ex6", "train-numpy"), ("ex7", "keras"),
        ("ex8", "init-batchnorm"), ("ex9", "search"), ("ex10", "noise-norm"), ("ex11", "bayes-opt"),
        ("ex12", "keras-search"),
    ]


@pytest.mark.parametrize("key", ["ex3", "dropout", "DROPOUT", " ex3 "])
def test_lookup_by_id_or_slug(key):
    assert registry.get(key).id == "ex3"


def test_slug_with_underscore():
    assert registry.get("weight_decay").id == "ex4"


def test_unknown_exercise_suggests_the_closest():
    with pytest.raises(KeyError, match="did you mean 'dropout'"):
        registry.get("dropuot")


def test_every_exercise_has_points_names_and_a_spanish_title():
    for ex in registry.EXERCISES:
        assert ex.points > 0 and ex.names and ex.title_es and ex.time_limit_s > 0
        assert ex.needs in {"numpy", "keras", "sklearn"}
