"""Roster editing beyond one cell: many cells at once (move, swap, set, clear, release), undo, the options
of one cell in plain words, and the cells where two rosters differ. Thin: validate, call one service or
selector."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import get_language_from_request
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api.conditional import require_if_match
from api.errors_schema import ERROR_RESPONSES, ErrorSerializer
from api.permissions import RolePermission
from api.rosters.edit_serializers import (
    CellOptionsSerializer,
    CellsChangeSerializer,
    DiffSerializer,
    EditResultSerializer,
)
from api.rosters.views import WRITE_ERRORS, _etag, _roster_for_read, _roster_for_write, _rosters
from api.scoping import get_scoped_or_404
from capacity.models import Person
from capacity.selectors import people_rostered_in
from ops.errors import ApplicationError
from ops.planning_window import validate_planning_date
from scheduler.cell_options import cell_options
from scheduler.roster_diff import roster_diff
from scheduler.services.roster_edits import CellChange, roster_cells_change, roster_undo

EDIT_ERRORS = {
    **WRITE_ERRORS,
    413: OpenApiResponse(ErrorSerializer, description="More cells than one edit may change"),
    422: OpenApiResponse(
        ErrorSerializer,
        description="Breaks a hard rule: extra.violations in plain words, extra.cells per cell",
    ),
}


def _edit_result(roster, edit) -> Response:
    roster.refresh_from_db()
    response = Response(
        {
            "edit": edit.pk,
            "action": edit.action,
            "revision": roster.revision,
            "cells": edit.cells,
            "override_reason": edit.override_reason,
            "overridden_rules": edit.overridden_rules,
        }
    )
    response["ETag"] = _etag(roster)
    return response


def _if_match_revision(request, roster) -> int:
    """The revision the edit applies to; an If-Match, when sent, must name it (412 otherwise)."""
    require_if_match(request, _etag(roster), required=False)
    return roster.revision


class RosterCellsApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_cells_change",
        request=CellsChangeSerializer,
        responses={200: EditResultSerializer, **EDIT_ERRORS},
        description="Change several cells in one edit, all or nothing: a move (clear one cell, fill "
        "another), a swap, setting or clearing a selection, or releasing locks (`locked: false`). Each "
        "change is a lock a re-solve keeps unless `locked` is false. If-Match is checked when sent.",
    )
    def post(self, request, roster_id: int):
        roster = _roster_for_write(request, roster_id)
        expected = _if_match_revision(request, roster)
        data = CellsChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        people = {c["person"] for c in values["cells"]}
        visible = set(
            people_rostered_in(unit_id=roster.department_id)
            .filter(id__in=people)
            .values_list("id", flat=True)
        )
        if missing := sorted(people - visible):
            raise ApplicationError(
                "Not people of this unit", extra={"fields": {"person": missing}}, status=400
            )
        edit = roster_cells_change(
            roster=roster,
            changes=[CellChange(c["person"], c["date"], c["shift"], c["locked"]) for c in values["cells"]],
            action=values["action"],
            user=request.user,
            expected_revision=expected,
            override_reason=values.get("override_reason", ""),
            language=get_language_from_request(request),
        )
        return _edit_result(roster, edit)


class RosterUndoApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_undo",
        request=None,
        responses={200: EditResultSerializer, **WRITE_ERRORS},
        description="Undo the latest edit of this version not yet undone (409 when there is none, or "
        "the roster was solved since). If-Match is checked when sent.",
    )
    def post(self, request, roster_id: int):
        roster = _roster_for_write(request, roster_id)
        edit = roster_undo(
            roster=roster, user=request.user, expected_revision=_if_match_revision(request, roster)
        )
        return _edit_result(roster, edit)


class RosterCellOptionsApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_cell_options",
        responses={200: CellOptionsSerializer, **ERROR_RESPONSES},
        description="Every shift (and a day off) for one cell: allowed, or the hard rules that block it in "
        "plain words (dates in the Accept-Language's format), and who else could take each shift.",
    )
    def get(self, request, roster_id: int, person_id: int, day: str):
        roster = _roster_for_read(request, roster_id)
        try:
            parsed = date.fromisoformat(day)
            validate_planning_date(parsed)
        except (ValueError, ValidationError) as exc:
            raise ApplicationError("date must be YYYY-MM-DD", extra={"fields": {"date": day}}) from exc
        get_scoped_or_404(Person.objects.all(), request.user, id=person_id)
        return Response(
            cell_options(
                roster=roster, person_id=person_id, day=parsed, language=get_language_from_request(request)
            )
        )


class RosterDiffApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_diff",
        parameters=[
            OpenApiParameter(
                "against", OpenApiTypes.INT, required=True, description="Another roster of the unit"
            )
        ],
        responses={200: DiffSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, roster_id: int):
        roster = _roster_for_read(request, roster_id)
        against = request.query_params.get("against", "")
        if not (against.isascii() and against.isdigit()) or int(against) > 2**63 - 1:
            raise ApplicationError("against must be a roster id", extra={"fields": {"against": against}})
        other = get_scoped_or_404(_rosters(), request.user, id=int(against))
        return Response(roster_diff(roster=roster, against=other))
