"""Early-termination policies: SDK JSON, validation, and each rule's decisions on scripted curves."""

from __future__ import annotations

import pytest

from emulator.train.hyperdrive import (
    BanditPolicy,
    HyperDriveConfigException,
    MedianStoppingPolicy,
    NoTerminationPolicy,
    TruncationSelectionPolicy,
)


class TestJson:
    def test_bandit_with_slack_factor(self):
        assert BanditPolicy(evaluation_interval=2, slack_factor=0.1).to_json() == {
            "name": "Bandit",
            "properties": {"evaluation_interval": 2, "delay_evaluation": 0, "slack_factor": 0.1},
        }

    def test_bandit_with_slack_amount(self):
        assert BanditPolicy(slack_amount=0.2, delay_evaluation=5).to_json() == {
            "name": "Bandit",
            "properties": {"evaluation_interval": 1, "delay_evaluation": 5, "slack_amount": 0.2},
        }

    def test_median_stopping(self):
        assert MedianStoppingPolicy(evaluation_interval=1, delay_evaluation=5).to_json() == {
            "name": "MedianStopping",
            "properties": {"evaluation_interval": 1, "delay_evaluation": 5},
        }

    def test_truncation_selection(self):
        assert TruncationSelectionPolicy(20, evaluation_interval=3).to_json() == {
            "name": "TruncationSelection",
            "properties": {
                "evaluation_interval": 3,
                "delay_evaluation": 0,
                "truncation_percentage": 20,
                "exclude_finished_jobs": False,
            },
        }

    def test_no_termination(self):
        assert NoTerminationPolicy().to_json() == {"name": "Default"}


class TestValidation:
    @pytest.mark.parametrize("kwargs", [{}, {"slack_factor": 0.1, "slack_amount": 0.2}, {"slack_factor": 0}])
    def test_bandit_needs_exactly_one_slack(self, kwargs):
        with pytest.raises(HyperDriveConfigException, match="exactly one of slack factor or slack amount"):
            BanditPolicy(**kwargs)

    def test_zero_slack_factor_with_an_amount_uses_the_amount(self):
        assert BanditPolicy(slack_factor=0, slack_amount=0.5).to_json()["properties"]["slack_amount"] == 0.5

    @pytest.mark.parametrize("percentage", [0, 100])
    def test_truncation_percentage_is_bounded(self, percentage):
        with pytest.raises(
            HyperDriveConfigException, match="truncation_percentage expects value to be between 1 and 99."
        ):
            TruncationSelectionPolicy(percentage)

    @pytest.mark.parametrize("kwargs", [{"evaluation_interval": 1.5}, {"delay_evaluation": "2"}])
    def test_intervals_must_be_integers(self, kwargs):
        with pytest.raises(HyperDriveConfigException, match="expects an integer"):
            MedianStoppingPolicy(**kwargs)


class TestSchedule:
    def test_applied_at_multiples_of_the_interval_from_the_delay_on(self):
        policy = BanditPolicy(evaluation_interval=2, slack_amount=1, delay_evaluation=3)
        assert [n for n in range(1, 11) if policy._due(n)] == [4, 6, 8, 10]

    def test_no_termination_is_never_due(self):
        assert not any(NoTerminationPolicy()._due(n) for n in range(1, 20))


class TestBandit:
    def test_slack_amount_maximize_cancels_below_best_minus_amount(self):
        # best AUC 0.8, slack 0.2: 0.59 is outside, 0.61 inside
        curves = {"best": [0.8], "out": [0.59], "in": [0.61]}
        policy = BanditPolicy(slack_amount=0.2)
        assert policy._should_cancel("out", 1, curves, "maximize")
        assert not policy._should_cancel("in", 1, curves, "maximize")
        assert not policy._should_cancel("best", 1, curves, "maximize")

    def test_slack_factor_maximize_cancels_below_best_over_one_plus_factor(self):
        # best 0.8, factor 0.2: threshold 0.8 / 1.2 = 0.667
        curves = {"best": [0.8], "out": [0.66], "in": [0.67]}
        policy = BanditPolicy(slack_factor=0.2)
        assert policy._should_cancel("out", 1, curves, "maximize")
        assert not policy._should_cancel("in", 1, curves, "maximize")

    def test_slack_factor_minimize_cancels_above_best_times_one_plus_factor(self):
        # best MAE 100, factor 0.1: threshold 110
        curves = {"best": [100.0], "out": [111.0], "in": [109.0]}
        policy = BanditPolicy(slack_factor=0.1)
        assert policy._should_cancel("out", 1, curves, "minimize")
        assert not policy._should_cancel("in", 1, curves, "minimize")

    def test_slack_amount_minimize_cancels_above_best_plus_amount(self):
        curves = {"best": [1.0], "out": [1.6], "in": [1.4]}
        policy = BanditPolicy(slack_amount=0.5)
        assert policy._should_cancel("out", 1, curves, "minimize")
        assert not policy._should_cancel("in", 1, curves, "minimize")

    def test_compares_with_the_best_run_up_to_the_same_interval(self):
        # The leader reaches 0.9 only at interval 3; at interval 1 the young run is within slack.
        curves = {"leader": [0.5, 0.6, 0.9], "young": [0.45]}
        policy = BanditPolicy(slack_amount=0.1)
        assert not policy._should_cancel("young", 1, curves, "maximize")
        assert policy._should_cancel("young", 1, {"leader": [0.9], "young": [0.45]}, "maximize")

    def test_uses_the_runs_best_value_so_far(self):
        curves = {"best": [0.8, 0.8], "dip": [0.75, 0.1]}
        assert not BanditPolicy(slack_amount=0.1)._should_cancel("dip", 2, curves, "maximize")


class TestMedianStopping:
    def test_cancels_a_run_whose_best_is_worse_than_the_median_of_running_averages(self):
        # running averages at interval 2: a=2.5, b=3.5, c=0.5 -> median 2.5; c's best 1 < 2.5
        curves = {"a": [2, 3], "b": [3, 4], "c": [0, 1]}
        policy = MedianStoppingPolicy()
        assert policy._should_cancel("c", 2, curves, "maximize")
        assert not policy._should_cancel("a", 2, curves, "maximize")
        assert not policy._should_cancel("b", 2, curves, "maximize")

    def test_minimize_goal_flips_the_comparison(self):
        curves = {"a": [2, 3], "b": [3, 4], "c": [0, 1]}
        policy = MedianStoppingPolicy()
        assert policy._should_cancel("b", 2, curves, "minimize")
        assert not policy._should_cancel("c", 2, curves, "minimize")

    def test_a_lone_run_is_never_cancelled(self):
        assert not MedianStoppingPolicy()._should_cancel("a", 3, {"a": [5, 1, 0]}, "maximize")


class TestTruncationSelection:
    def test_cancels_the_lowest_percentage_at_the_same_interval(self):
        curves = {f"r{i}": [float(i), float(i)] for i in range(10)}
        policy = TruncationSelectionPolicy(20)
        cancelled = {r for r in curves if policy._should_cancel(r, 2, curves, "maximize")}
        assert cancelled == {"r0", "r1"}
        cancelled_min = {r for r in curves if policy._should_cancel(r, 2, curves, "minimize")}
        assert cancelled_min == {"r8", "r9"}

    def test_young_runs_are_judged_only_against_values_up_to_their_interval(self):
        # At interval 1 the young run's 0.5 beats everyone's first value, although the old runs later reached 0.9.
        curves = {
            "old1": [0.4, 0.9],
            "old2": [0.3, 0.9],
            "old3": [0.2, 0.9],
            "old4": [0.1, 0.9],
            "young": [0.5],
        }
        assert not TruncationSelectionPolicy(20)._should_cancel("young", 1, curves, "maximize")
        assert TruncationSelectionPolicy(20)._should_cancel("old4", 1, curves, "maximize")

    def test_too_few_runs_to_truncate_cancels_nothing(self):
        curves = {"a": [1.0], "b": [0.0]}
        assert not TruncationSelectionPolicy(20)._should_cancel("b", 1, curves, "maximize")
