"""The evaluation rules, held by properties over arbitrary policies and requests."""

from __future__ import annotations

import fnmatch
import random
import re
from dataclasses import dataclass, field

from flow_sdk_policies import evaluate, glob_match
from hypothesis import given, settings
from hypothesis import strategies as st

# Small alphabets make matches (and wildcard collisions) likely.
text = st.text(alphabet="ab:/*", max_size=8)
literal = st.text(alphabet="ab:/", max_size=8)
patterns = st.lists(text, min_size=1, max_size=3)


@dataclass(frozen=True)
class P:
    id: str
    effect: str
    actions: list[str] = field(default_factory=lambda: ["*"])
    resources: list[str] = field(default_factory=lambda: ["*"])
    principals: list[str] = field(default_factory=lambda: ["*"])


@st.composite
def policy_sets(draw: st.DrawFn) -> list[P]:
    count = draw(st.integers(0, 6))
    return [
        P(
            id=f"pol_{i}",
            effect=draw(st.sampled_from(["allow", "deny"])),
            actions=draw(patterns),
            resources=draw(patterns),
            principals=draw(patterns),
        )
        for i in range(count)
    ]


def reference_match(pattern: str, value: str) -> bool:
    """An independent oracle: the pattern as a regular expression."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


@given(text, literal)
def test_glob_match_agrees_with_a_regular_expression(pattern: str, value: str) -> None:
    assert glob_match(pattern, value) is reference_match(pattern, value)


@given(st.text(), st.text())
def test_glob_match_agrees_on_any_unicode(pattern: str, value: str) -> None:
    assert glob_match(pattern, value) is reference_match(pattern, value)


@given(st.text())
def test_star_matches_everything_and_a_literal_matches_itself(value: str) -> None:
    assert glob_match("*", value)
    assert glob_match("**", value)
    if "*" not in value:
        assert glob_match(value, value)
        assert not glob_match(value + "x", value)


def test_star_crosses_separators_and_other_characters_are_literal() -> None:
    assert glob_match("datasets:*", "datasets:delete")
    assert glob_match("datasets/*", "datasets/ds_1/rows")
    assert glob_match("*:delete", "components:delete")
    assert not glob_match("datasets:*", "components:delete")
    assert not glob_match("data?ets", "datasets")
    assert glob_match("data?ets", "data?ets")
    assert not glob_match("[ab]", "a")
    assert not glob_match("Datasets", "datasets")
    # fnmatch would treat these as classes; ours does not.
    assert fnmatch.fnmatchcase("a", "[ab]")


def test_pathological_pattern_is_fast() -> None:
    pattern = "*a" * 30 + "b"
    assert not glob_match(pattern, "a" * 5000)


@settings(max_examples=60)
@given(policy_sets(), literal, literal, literal)
def test_no_match_is_a_deny(policies: list[P], principal: str, action: str, resource: str) -> None:
    decision = evaluate(policies, principal, action, resource)
    if not decision.matched:
        assert decision.allowed is False
        assert decision.reason == "no policy allows it"


@settings(max_examples=60)
@given(policy_sets(), literal, literal, literal)
def test_deny_wins(policies: list[P], principal: str, action: str, resource: str) -> None:
    decision = evaluate(policies, principal, action, resource)
    effects = {p.effect for p in decision.matched}
    assert decision.allowed is (effects == {"allow"})
    if "deny" in effects:
        assert all(p.effect == "deny" for p in policies if p.id in decision.deciding_ids)
        assert set(decision.deciding_ids) <= {p.id for p in decision.matched}
        assert all(i in decision.reason for i in decision.deciding_ids)


@settings(max_examples=60)
@given(policy_sets(), literal, literal, literal)
def test_adding_a_catch_all_deny_denies_everything(
    policies: list[P], principal: str, action: str, resource: str
) -> None:
    decision = evaluate([*policies, P("pol_zz", "deny")], principal, action, resource)
    assert decision.allowed is False
    assert "pol_zz" in decision.deciding_ids


@settings(max_examples=60)
@given(policy_sets(), literal, literal, literal)
def test_a_catch_all_allow_allows_unless_something_denies(
    policies: list[P], principal: str, action: str, resource: str
) -> None:
    decision = evaluate([*policies, P("pol_zz", "allow")], principal, action, resource)
    denied = any(p.effect == "deny" for p in decision.matched)
    assert decision.allowed is not denied


@settings(max_examples=60)
@given(policy_sets(), literal, literal, literal, st.randoms(use_true_random=False))
def test_order_does_not_matter(
    policies: list[P], principal: str, action: str, resource: str, rng: random.Random
) -> None:
    shuffled = list(policies)
    rng.shuffle(shuffled)
    first = evaluate(policies, principal, action, resource)
    second = evaluate(shuffled, principal, action, resource)
    assert first == second
    assert [p.id for p in first.matched] == sorted(p.id for p in first.matched)


@settings(max_examples=50)
@given(policy_sets(), literal, literal, literal)
def test_matched_are_exactly_the_policies_naming_all_three(
    policies: list[P], principal: str, action: str, resource: str
) -> None:
    decision = evaluate(policies, principal, action, resource)
    expected = {
        p.id
        for p in policies
        if any(reference_match(x, principal) for x in p.principals)
        and any(reference_match(x, action) for x in p.actions)
        and any(reference_match(x, resource) for x in p.resources)
    }
    assert {p.id for p in decision.matched} == expected


def test_a_policy_must_name_the_principal_too() -> None:
    policy = P("pol_1", "allow", ["datasets:*"], ["datasets/*"], ["user:usr_alice"])
    assert evaluate([policy], "user:usr_alice", "datasets:get", "datasets/ds_1").allowed
    assert not evaluate([policy], "user:usr_bob", "datasets:get", "datasets/ds_1").allowed
