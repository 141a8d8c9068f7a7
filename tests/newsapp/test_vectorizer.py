"""Reading a saved index needs no scikit-learn: the index's own vectorizer analyses and
weighs text to the bit as scikit-learn's did when the index was fitted, and a process that
only loads an index and ranks never imports it (about 70 MB of a web worker's memory)."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize

from newsapp.recommender import Document, build_index, load_index, save_index
from newsapp.recommender.stopwords import STOP_WORDS
from newsapp.recommender.terms import VECTORIZER_PARAMS, Vectorizer, l2_rows
from tests.newsapp.corpus import FOOD, SPACE, SPORT

TEXTS = [
    *SPORT,
    *FOOD,
    *SPACE,
    "Café owners in Zürich serve crème brûlée; naïve coöperation wins the Ærø prize.",
    "THE the The and 2024 42nd 3D x y ab BA ça",
    "",
    "Señora Núñez, São Paulo and Kraków: ﬁne ligatures, Ⅻ numerals, ½ fractions.",
    "word " * 50 + "other " * 3,
]


def test_the_stop_words_are_scikit_learns():
    assert STOP_WORDS == ENGLISH_STOP_WORDS


@pytest.fixture(scope="module")
def fitted():
    fitted = TfidfVectorizer(**VECTORIZER_PARAMS)
    fitted.fit(TEXTS)
    return fitted


def test_the_analysis_is_scikit_learns(fitted):
    ours, theirs = Vectorizer.from_fitted(fitted).build_analyzer(), fitted.build_analyzer()
    for text in TEXTS:
        assert ours(text) == theirs(text), text


def test_the_weights_are_scikit_learns_to_the_bit(fitted):
    ours = Vectorizer.from_fitted(fitted)
    unseen = ["Chefs and rockets: a harvest of comets", "nothing known here zzz", ""]
    for texts in (TEXTS, unseen):
        mine, theirs = ours.transform(texts), sp.csr_matrix(fitted.transform(texts))
        assert mine.dtype == theirs.dtype == np.float32
        assert np.array_equal(mine.indptr, theirs.indptr)
        assert np.array_equal(mine.indices, theirs.indices)
        assert np.array_equal(mine.data, theirs.data)  # the same bits, not close
    assert ours.get_feature_names_out().tolist() == fitted.get_feature_names_out().tolist()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rows_of_length_one_are_scikit_learns_to_the_bit(dtype):
    rng = np.random.default_rng(3)
    matrix = sp.random(40, 300, density=0.05, format="csr", random_state=rng, dtype=dtype)
    matrix = sp.vstack([matrix, sp.csr_matrix((1, 300), dtype=dtype)]).tocsr()  # an empty row
    mine, theirs = l2_rows(matrix), normalize(matrix)
    assert mine.dtype == theirs.dtype
    assert np.array_equal(mine.data, theirs.data)
    assert np.array_equal(mine.indices, theirs.indices)


def test_a_saved_index_loads_and_ranks_without_scikit_learn(tmp_path):
    documents = [
        Document(id=i, title=text[:30], text=text, topics=("food",) if i % 2 else ())
        for i, text in enumerate(FOOD + SPORT + SPACE)
    ]
    save_index(build_index(documents, topic_keywords={"food": ["chef", "recipe"]}), tmp_path)
    script = textwrap.dedent(
        f"""
        import sys
        from newsapp.recommender import Profile, load_index
        index = load_index({str(tmp_path)!r})
        picks = index.recommend(Profile(topics={{"food": 1.0}}, keywords=("harvest",)), k=3)
        index.vectorise(["a chef cooks a harvest recipe"])
        print(len(picks), sorted(m for m in sys.modules if m.split(".")[0] == "sklearn"))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "3 []"
    loaded = load_index(tmp_path)
    assert isinstance(loaded.vectorizer, Vectorizer)
