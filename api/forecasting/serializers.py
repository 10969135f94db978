from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from api.fields import PlanningDateField, PlanningDateTimeField
from api.serializers_base import PortableModelSerializer
from forecasting.engine.options import DEFAULT_HORIZON_DAYS, MAX_HORIZON_DAYS, MIN_HORIZON_DAYS
from forecasting.models import DemandEvent, DemandSeries


@extend_schema_serializer(component_name="DemandSeries")
class DemandSeriesOutputSerializer(PortableModelSerializer):
    unit = serializers.IntegerField(source="department_id")
    unit_name = serializers.CharField(source="department.name")

    class Meta:
        model = DemandSeries
        fields = ["id", "unit", "unit_name", "metric", "frequency", "staffing", "updated_at"]


@extend_schema_serializer(component_name="ObservationRow")
class ObservationRowSerializer(serializers.Serializer):
    timestamp = serializers.CharField(
        help_text="ISO date or date-time; without an offset, the unit's local time"
    )
    value = serializers.CharField(help_text="A number >= 0")


@extend_schema_serializer(component_name="ObservationUploadRequest")
class ObservationUploadInputSerializer(serializers.Serializer):
    rows = serializers.ListField(child=serializers.DictField(), allow_empty=False)


@extend_schema_serializer(component_name="ObservationUploadResult")
class ObservationUploadOutputSerializer(serializers.Serializer):
    inserted = serializers.IntegerField()
    replaced = serializers.IntegerField()


@extend_schema_serializer(component_name="ForecastPoint")
class ForecastPointSerializer(serializers.Serializer):
    timestamp = PlanningDateTimeField()
    value = serializers.FloatField()
    lower = serializers.FloatField(allow_null=True)
    upper = serializers.FloatField(allow_null=True)


@extend_schema_serializer(component_name="ForecastModelSummary")
class ForecastModelSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    algorithm = serializers.CharField()
    trained_at = PlanningDateTimeField()
    duration_seconds = serializers.FloatField()
    metrics = serializers.DictField(help_text="Every candidate's backtest scores (mase, mape, ...)")
    decisions = serializers.DictField()


@extend_schema_serializer(component_name="SeriesForecast")
class SeriesForecastSerializer(serializers.Serializer):
    series = DemandSeriesOutputSerializer()
    model = ForecastModelSerializer(allow_null=True)
    points = ForecastPointSerializer(many=True)


@extend_schema_serializer(component_name="RetrainRequest")
class RetrainInputSerializer(serializers.Serializer):
    series = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, max_length=1000
    )
    horizon_days = serializers.IntegerField(
        min_value=MIN_HORIZON_DAYS, max_value=MAX_HORIZON_DAYS, default=DEFAULT_HORIZON_DAYS
    )


@extend_schema_serializer(component_name="RetrainStarted")
class RetrainStartedSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    run = serializers.IntegerField()
    series = serializers.IntegerField()


@extend_schema_field(
    {"type": "number", "minimum": 0, "maximum": 1, "exclusiveMinimum": True, "exclusiveMaximum": True}
)
class OpenUnitIntervalField(serializers.FloatField):
    """A share strictly between 0 and 1 (DRF's min_value and max_value include their bounds)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not 0 < value < 1:
            raise serializers.ValidationError("Must be within (0, 1), both excluded.")
        return value


@extend_schema_serializer(component_name="CoverFillRequest")
class CoverFillInputSerializer(serializers.Serializer):
    start = PlanningDateField()
    end = PlanningDateField()
    quantile = serializers.FloatField(
        required=False,
        allow_null=True,
        min_value=0.5,
        max_value=0.99,
        help_text="Minimum cover on this upper quantile of demand instead of the mean.",
    )
    service_level = OpenUnitIntervalField(
        required=False,
        allow_null=True,
        help_text="Minimum cover per shift: the fewest staff at which the shift is short with a chance of at "
        "most 1 - service_level (0.9: 10%), within (0, 1). Not with quantile.",
    )

    def validate(self, attrs):
        if attrs.get("quantile") is not None and attrs.get("service_level") is not None:
            raise serializers.ValidationError("Give a quantile or a service level, not both.")
        return attrs


@extend_schema_serializer(component_name="CoverFillResult")
class CoverFillOutputSerializer(serializers.Serializer):
    written = serializers.IntegerField()


@extend_schema_serializer(component_name="DemandEvent")
class DemandEventSerializer(PortableModelSerializer):
    """A known episode that moves the unit's demand (a ward closed, a flu season); local dates, both
    included. A regressor of the unit's forecasts from the next retrain on."""

    unit = serializers.IntegerField(source="department_id", read_only=True)

    class Meta:
        model = DemandEvent
        fields = ["id", "unit", "name", "start_date", "end_date"]
        read_only_fields = ["id", "unit"]
