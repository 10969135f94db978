"""Job options are defined once, in the cores: the API, the pages and the schema take theirs from there."""

import yaml
from django.conf import settings

from api.forecasting.serializers import RetrainInputSerializer
from api.rosters.serializers import (
    RosterCompareInputSerializer,
    RosterGenerateInputSerializer,
    RosterSolveInputSerializer,
)
from forecasting.engine.options import DEFAULT_HORIZON_DAYS, MAX_HORIZON_DAYS, ForecastOptions
from ops.settings import BASE_DIR
from scheduler.solver.options import (
    AUTO,
    COMPARE_ENGINES,
    DEFAULT_TIME_LIMIT_S,
    ENGINES,
    INTERACTIVE_TIME_LIMIT_S,
    MIN_TIME_LIMIT_S,
    ROSTER_ENGINES,
    SolveOptions,
)
from web.forms import NewRosterForm, SolveForm


def _schema_component(name: str) -> dict:
    schema = yaml.safe_load((BASE_DIR / "openapi.yaml").read_text())
    return schema["components"]["schemas"][name]


def test_the_option_objects_hold_the_defaults():
    assert SolveOptions().engine == AUTO and SolveOptions().time_limit == DEFAULT_TIME_LIMIT_S
    assert ForecastOptions().horizon_days == DEFAULT_HORIZON_DAYS
    assert set(ROSTER_ENGINES) <= set(ENGINES) and "colgen" in ENGINES


def test_the_serializers_take_engines_defaults_and_bounds_from_the_core():
    for serializer in (RosterGenerateInputSerializer(), RosterSolveInputSerializer()):
        engine, time_limit = serializer.fields["engine"], serializer.fields["time_limit"]
        assert tuple(engine.choices) == ROSTER_ENGINES and engine.default == AUTO
        assert time_limit.default == DEFAULT_TIME_LIMIT_S
        assert (time_limit.min_value, time_limit.max_value) == (
            MIN_TIME_LIMIT_S,
            settings.SOLVE_TIME_LIMIT_MAX,
        )
    compare = RosterCompareInputSerializer()
    assert tuple(compare.fields["engines"].child.choices) == COMPARE_ENGINES
    horizon = RetrainInputSerializer().fields["horizon_days"]
    assert (horizon.default, horizon.max_value) == (DEFAULT_HORIZON_DAYS, MAX_HORIZON_DAYS)


def test_the_forms_take_engines_and_the_pages_default_from_the_core():
    for form in (NewRosterForm(units=[]), SolveForm()):
        assert [value for value, _ in form.fields["engine"].choices] == list(ROSTER_ENGINES)
        assert form.fields["engine"].initial == AUTO
        assert form.fields["time_limit"].initial == INTERACTIVE_TIME_LIMIT_S
        assert form.fields["time_limit"].max_value == settings.SOLVE_TIME_LIMIT_MAX


def test_the_committed_schema_shows_the_cores_defaults_and_the_maximum_time_limit():
    generate = _schema_component("RosterGenerateRequestRequest")["properties"]
    assert _schema_component("EngineEnum")["enum"] == list(ROSTER_ENGINES)
    assert generate["engine"]["default"] == AUTO
    assert generate["time_limit"]["default"] == DEFAULT_TIME_LIMIT_S
    assert generate["time_limit"]["maximum"] == settings.SOLVE_TIME_LIMIT_MAX
    horizon = _schema_component("RetrainRequestRequest")["properties"]["horizon_days"]
    assert (horizon["default"], horizon["maximum"]) == (DEFAULT_HORIZON_DAYS, MAX_HORIZON_DAYS)
