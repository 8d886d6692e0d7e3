"""Free text read by a language model, optionally: any OpenAI-compatible chat endpoint the user
configures (a local llama.cpp or Ollama server works), through the ``[llm]`` extra.

The model is asked for one JSON object (actor, act, target, confidence) with the catalogue's
acts and the scenario's states listed; its reply is checked against them. Whenever the path
cannot give a valid reading (no endpoint configured, httpx not installed, the endpoint
unreachable or failing, a reply that is not JSON or names an act or state that does not exist)
the offline reader answers instead, and the reading's ``note`` says why. Nothing here is ever
required, and the tests never reach a network.
"""

from __future__ import annotations

import importlib
import json
import os
import re
from collections.abc import Callable
from typing import Any

from secdilemma.events.actors import actor_lookup, key
from secdilemma.events.reader import Reading, country_names, read_offline
from secdilemma.model.actions import Catalog, load_catalog
from secdilemma.model.scenario import Scenario

ENDPOINT_VARIABLE = "SECDILEMMA_LLM_URL"  # e.g. http://127.0.0.1:8080/v1
MODEL_VARIABLE = "SECDILEMMA_LLM_MODEL"
KEY_VARIABLE = "SECDILEMMA_LLM_KEY"
TIMEOUT = 30.0
MAX_REPLY = 20_000  # characters of a reply's content read


class ReplyError(ValueError):
    """The endpoint's reply is not a valid reading."""


def request_body(text: str, catalog: Catalog, states: list[str], model: str) -> dict[str, Any]:
    """The chat request: the acts and states to choose from, and the text."""
    acts = "\n".join(
        f"- {spec.id} ({'aimed at a target' if spec.targeted else 'no target'}): {spec.description}"
        for spec in catalog.specs
        if spec.id != "wait"
    )
    system = (
        "You code international events. Read the user's sentence and answer with one JSON "
        'object: {"actor": ..., "act": ..., "target": ..., "confidence": ...}. "act" must be '
        "one of these act ids, or null if none fits:\n"
        f"{acts}\n"
        f'"actor" and "target" must be one of {states} (or null); "target" is null for an '
        'act with no target. "confidence" is your probability (0 to 1) that the act is right. '
        "Answer with the JSON object only."
    )
    return {
        "model": model,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": text}],
        "temperature": 0,
        "response_format": {"type": "json_object"},
    }


def parse_reply(
    reply: dict[str, Any], text: str, catalog: Catalog, states: dict[str, str]
) -> Reading:
    """A chat-completion reply as a reading, checked against the catalogue and the states
    (``states``: name keys to ids); a :class:`ReplyError` says what is wrong with it."""
    try:
        content = reply["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ReplyError("no choices[0].message.content in the reply") from None
    if not isinstance(content, str):
        raise ReplyError("the reply's content is not text")
    content = re.sub(r"^```(?:json)?\s*|\s*```$", "", content[:MAX_REPLY].strip())
    try:
        found = json.loads(content)
    except json.JSONDecodeError as err:
        raise ReplyError(f"the reply is not JSON: {err.msg}") from None
    if not isinstance(found, dict):
        raise ReplyError("the reply is not a JSON object")
    act = found.get("act")
    if act is not None and act not in catalog.ids:
        raise ReplyError(f"act {act!r} is not in the catalogue")

    def state(field: str) -> str | None:
        value = found.get(field)
        if value is None:
            return None
        if not isinstance(value, str) or key(value) not in states:
            raise ReplyError(f"{field} {value!r} is not one of the states")
        return states[key(value)]

    actor, target = state("actor"), state("target")
    if act is not None:
        aimed = bool(catalog.targeted[catalog.index(act)])
        if aimed and target is None:
            raise ReplyError(f"act {act!r} needs a target")
        if not aimed:
            target = None
    confidence = found.get("confidence", None)
    if not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        confidence = float("nan")
    return Reading(
        text=text,
        actor=actor,
        act=act,
        target=target,
        code="",
        code_name="",
        root="",
        confidence=float(confidence),
        method="llm",
    )


def read_with_model(
    text: str,
    scenario: Scenario | None = None,
    endpoint: str | None = None,
    model: str | None = None,
    post: Callable[..., Any] | None = None,
) -> Reading:
    """``text`` read by the configured endpoint (``endpoint``, else the environment's
    ``SECDILEMMA_LLM_URL``), or by the offline reader where that gives no valid reading.
    ``post`` replaces ``httpx.post`` (the tests give recorded replies)."""
    endpoint = endpoint or os.environ.get(ENDPOINT_VARIABLE)
    if not endpoint:
        return _fallback(text, scenario, f"no endpoint configured ({ENDPOINT_VARIABLE})")
    if post is None:
        try:
            post = importlib.import_module("httpx").post
        except ImportError:
            return _fallback(
                text, scenario, "httpx is not installed: pip install 'secdilemma[llm]'"
            )
    catalog = scenario.action_catalog() if scenario else load_catalog()
    ids = scenario.ids if scenario else []
    states = actor_lookup(scenario) if scenario else country_names()
    names = ids or sorted(set(states.values()))
    body = request_body(text, catalog, names, model or os.environ.get(MODEL_VARIABLE, "local"))
    headers = {"Content-Type": "application/json"}
    if os.environ.get(KEY_VARIABLE):
        headers["Authorization"] = f"Bearer {os.environ[KEY_VARIABLE]}"
    url = endpoint.rstrip("/") + "/chat/completions"
    try:
        response = post(url, json=body, headers=headers, timeout=TIMEOUT)
        response.raise_for_status()
        reply = response.json()
    except Exception as err:  # any failure of the optional path falls back, and says so
        return _fallback(text, scenario, f"the endpoint failed: {type(err).__name__}: {err}")
    try:
        return parse_reply(reply, text, catalog, states)
    except ReplyError as err:
        return _fallback(text, scenario, f"the endpoint's reply was not valid: {err}")


def _fallback(text: str, scenario: Scenario | None, why: str) -> Reading:
    reading = read_offline(text, scenario)
    reading.note = "; ".join(filter(None, [f"offline reader used: {why}", reading.note]))
    return reading
