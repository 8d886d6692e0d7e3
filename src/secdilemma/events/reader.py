"""Free text read into a catalogue act, offline: ``secdilemma events read "..."``.

The reader is a standard text classifier over the CAMEO codebook (scikit-learn): TF-IDF of
stemmed words and word pairs (proper names, reporting verbs and stop words left out, but
not the modal and negating words that separate CAMEO's roots; the first ``LEAD``
words of a text count twice, since a news lede puts its act right after its subject) under a
logistic regression. It is trained on every code's name, description and usage notes, the
codebook's example sentences, and the cue phrases of ``data/cues.yaml``, with the CAMEO root
code (01-20) as the label. Within the root chosen, the sentence's nearest code (cosine
similarity to each code's texts) gives the CAMEO code and, through the mapping, the act.
The actor and target are the first two distinct countries the text names (names, codes,
demonyms: ``actors``).

Its accuracy on the codebook's own example sentences, held out of its training, is measured
by :func:`held_out_accuracy` and reported in docs/events.md.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from secdilemma.events.actors import actor_lookup, countries, country_codes, demonyms, key
from secdilemma.events.cameo import DATA, act_of, codebook
from secdilemma.experiments.extras import require
from secdilemma.model.scenario import Scenario

SPLIT_SEED = 20261207  # the held-out split of the codebook's example sentences
HELD_OUT = 0.3
# The words of a text that count twice, and the regression's inverse regularisation: chosen by
# cross-validation within training folds (nested_accuracy; docs/events.md).
LEAD = 4
C = 10.0
# Words of reporting, not of acting: every news sentence has them.
REPORTING = (
    "say said says told tell report reported according news agency official officials "
    "minister government president year week today spokesman statement"
).split()
# Function words that the usual English stop list drops but CAMEO's roots turn on: intent
# ("will", 03) against the act itself, demands ("must", 10), refusals ("not", 12).
KEPT = frozenset("will would must should could may might not no nor never cannot".split())


@dataclass
class Reading:
    text: str
    actor: str | None
    act: str | None  # the catalogue act, or None where the code maps to no act
    target: str | None
    code: str  # the CAMEO code
    code_name: str
    root: str
    confidence: float  # the classifier's probability of the root code
    method: str = "offline"
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _stemmer():
    snowball = require("snowballstemmer", "events", "secdilemma events read", "the reader")
    return snowball.stemmer("english")


@cache
def _tokenizer(lead: int = 0):
    text_module = require(
        "sklearn.feature_extraction.text", "events", "secdilemma events read", "the reader"
    )
    stop = text_module.ENGLISH_STOP_WORDS - KEPT
    stem = _stemmer().stemWord
    reporting = {stem(w) for w in REPORTING}

    def tokens(text: str) -> list[str]:
        out = []
        for n, word in enumerate(re.findall(r"[A-Za-z]+", text)):
            if n > 0 and word[0].isupper():  # a name: who acts is not what they do
                continue
            word = word.lower()
            if word in stop:
                continue
            word = stem(word)
            if word not in reporting:
                out.append(word)
        return out + out[:lead]

    return tokens


def cues() -> dict[str, list[str]]:
    return yaml.safe_load(Path(str(DATA / "cues.yaml")).read_text(encoding="utf-8"))


def examples() -> tuple[list[str], list[str]]:
    """The codebook's example sentences and their root codes, in codebook order."""
    book = codebook()
    rows = book[book["example"] != ""]
    return rows["example"].tolist(), rows["root"].tolist()


def split(seed: int = SPLIT_SEED, share: float = HELD_OUT) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the example sentences kept for training and held out (a seeded draw)."""
    n = len(examples()[0])
    order = np.random.default_rng(np.random.SeedSequence(seed)).permutation(n)
    held = int(round(share * n))
    return np.sort(order[held:]), np.sort(order[:held])


class OfflineReader:
    """The classifier, trained on the codebook (and the examples ``train``: default all);
    ``lead`` words of each text count twice; ``strength`` is the regression's C."""

    def __init__(
        self, train: np.ndarray | None = None, lead: int = LEAD, strength: float = C
    ) -> None:
        text = require(
            "sklearn.feature_extraction.text", "events", "secdilemma events read", "the reader"
        )
        linear = require("sklearn.linear_model", "events", "secdilemma events read", "the reader")
        book = codebook()
        docs, labels, weights = [], [], []
        for _, row in book.iterrows():
            docs.append(f"{row['name']}. {row['description']}")
            labels.append(row["root"])
            weights.append(1.0)
            if row["usage_notes"]:
                docs.append(row["usage_notes"])
                labels.append(row["root"])
                weights.append(1.0)
        sentences, roots = examples()
        chosen = range(len(sentences)) if train is None else train
        docs += [sentences[i] for i in chosen]
        labels += [roots[i] for i in chosen]
        weights += [1.0] * len(chosen)
        for root, phrases in cues().items():
            docs += phrases
            labels += [root] * len(phrases)
            weights += [0.5] * len(phrases)  # a phrase is a hint, not a sentence
        self.vectorizer = text.TfidfVectorizer(
            tokenizer=_tokenizer(lead),
            lowercase=False,
            token_pattern=None,
            sublinear_tf=True,
            ngram_range=(1, 2),
        )
        features = self.vectorizer.fit_transform(docs)
        self.model = linear.LogisticRegression(C=strength, max_iter=5000)
        self.model.fit(features, labels, sample_weight=np.asarray(weights))
        # Each code's own texts, for the nearest code within the chosen root.
        code_text = (book["name"] + ". " + book["description"] + " " + book["example"]).tolist()
        self.codes = book.index.to_numpy()
        self.code_roots = book["root"].to_numpy()
        self.code_vectors = self.vectorizer.transform(code_text)

    def roots(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The root code of each text, and the classifier's probability of it."""
        probabilities = self.model.predict_proba(self.vectorizer.transform(texts))
        best = probabilities.argmax(axis=1)
        return self.model.classes_[best], probabilities[np.arange(len(texts)), best]

    def code(self, text: str, root: str) -> str:
        """The code of ``root`` whose texts are nearest to ``text`` (the root itself when no
        code's words are shared)."""
        within = np.flatnonzero(self.code_roots == root)
        scores = (self.code_vectors[within] @ self.vectorizer.transform([text]).T).toarray()[:, 0]
        return str(self.codes[within[scores.argmax()]]) if scores.max() > 0 else root


@cache
def default_reader() -> OfflineReader:
    return OfflineReader()


def countries_named(text: str, lookup: dict[str, str]) -> list[str]:
    """The countries ``text`` names, in order, each once: runs of one to four words looked up
    (longest first) in ``lookup`` (name keys to ids)."""
    words = re.findall(r"[A-Za-z][A-Za-z.'-]*", text)
    found, n = [], 0
    while n < len(words):
        for width in (4, 3, 2, 1):
            name = key(" ".join(words[n : n + width]))
            if name in lookup and len(name) > 1:
                if lookup[name] not in found:
                    found.append(lookup[name])
                n += width
                break
        else:
            n += 1
    return found


@cache
def country_names() -> dict[str, str]:
    """Lookup keys of every country's names, codes and demonyms, to its usual name."""
    names = {int(row["ccode"]): row["name"] for row in countries()}
    lookup = {k: names[c] for k, c in country_codes().items()}
    for code, words in demonyms().items():
        for demonym in words:
            lookup.setdefault(key(demonym), names[code])
    return lookup


def read_offline(
    text: str, scenario: Scenario | None = None, reader: OfflineReader | None = None
) -> Reading:
    """``text`` read into an actor, a CAMEO code and the act it maps to, with the classifier's
    confidence. With ``scenario``, actors are its state ids (else country names)."""
    reader = reader or default_reader()
    (root,), (confidence,) = reader.roots([text])
    code = reader.code(text, str(root))
    named = countries_named(text, actor_lookup(scenario) if scenario else country_names())
    actor = named[0] if named else None
    target = named[1] if len(named) > 1 else None
    act = act_of(code)
    note = "" if act else f"CAMEO {code} maps to no act of the catalogue"
    if actor is None:
        note = (note + "; " if note else "") + "no actor named"
    return Reading(
        text=text,
        actor=actor,
        act=act,
        target=target,
        code=code,
        code_name=str(codebook().loc[code, "name"]) if code in codebook().index else "",
        root=str(root),
        confidence=round(float(confidence), 3),
        note=note,
    )


def nested_accuracy(
    leads: tuple[int, ...] = (3, 4, 5, 6),
    strengths: tuple[float, ...] = (10.0, 30.0),
    folds: int = 5,
    repeats: int = 3,
    seed: int = SPLIT_SEED,
) -> dict[str, Any]:
    """The reader's choice of ``lead`` and ``strength`` judged without selection bias: in each
    of ``repeats`` x ``folds`` outer folds of the example sentences, the pair is chosen by
    four-fold cross-validation on the training part alone and scored on the held-out part.
    About 500 fits: some 15 minutes on two cores."""
    selection = require("sklearn.model_selection", "events", "accuracy", "the reader")
    sentences, roots = examples()
    truth = np.array(roots)
    state = seed % 2**32

    def score(train: np.ndarray, held: np.ndarray, lead: int, strength: float) -> float:
        reader = OfflineReader(train, lead=lead, strength=strength)
        predicted, _ = reader.roots([sentences[i] for i in held])
        return float(np.mean(predicted == truth[held]))

    scores, chosen = [], []
    outer = selection.RepeatedKFold(n_splits=folds, n_repeats=repeats, random_state=state)
    inner = selection.KFold(4, shuffle=True, random_state=state)
    for train, held in outer.split(sentences):
        grid = [(lead, strength) for lead in leads for strength in strengths]
        inner_scores = [
            np.mean([score(train[a], train[b], *pair) for a, b in inner.split(train)])
            for pair in grid
        ]
        lead, strength = grid[int(np.argmax(inner_scores))]
        scores.append(score(train, held, lead, strength))
        chosen.append([lead, strength])
    values = np.array(scores)
    return {
        "accuracy": float(values.mean()),
        "se": float(values.std(ddof=1) / np.sqrt(len(values))),
        "folds": len(values),
        "chosen": chosen,
    }


def held_out_accuracy(seed: int = SPLIT_SEED, share: float = HELD_OUT) -> dict[str, Any]:
    """The reader trained without a held-out share of the codebook's example sentences, scored
    on them: the share whose root code it finds, overall and by root."""
    train, held = split(seed, share)
    sentences, roots = examples()
    reader = OfflineReader(train)
    predicted, _ = reader.roots([sentences[i] for i in held])
    truth = np.array([roots[i] for i in held])
    hits = predicted == truth
    by_root = {
        root: [int(hits[truth == root].sum()), int((truth == root).sum())]
        for root in sorted(set(truth))
    }
    return {
        "sentences": len(sentences),
        "held_out": len(held),
        "correct": int(hits.sum()),
        "accuracy": float(hits.mean()),
        "by_root": by_root,
        "seed": seed,
    }
