"""Fixtures of the intelligence tests: one small classifier trained once per session on Chinese fixtures."""

from __future__ import annotations

import pytest

from gongzhi.intelligence.nlp import compose, train

from .fixtures import messages


@pytest.fixture(scope="session")
def fixture_model():
    rows = messages()
    return train([compose(t, d) for t, d, _ in rows], [label for *_, label in rows])


@pytest.fixture(scope="session")
def fixture_model_file(fixture_model, tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "fixture.npz"
    fixture_model.save(path)
    return path
