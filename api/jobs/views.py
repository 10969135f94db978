from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors_schema import ERROR_RESPONSES
from api.jobs.serializers import JobOutputSerializer
from api.scoping import accessible_department_ids, require_department_role
from ops.jobs import job_request_cancel
from ops.models import Job


def _visible_jobs(user):
    """Superusers see every job; others their own and those of departments they can read. Staff status
    grants nothing here: it opens the admin site only, and grants decide the rest."""
    jobs = Job.objects.all()
    if user.is_superuser:
        return jobs
    return jobs.filter(Q(requested_by=user) | Q(department_id__in=accessible_department_ids(user)))


class JobDetailApi(APIView):
    @extend_schema(operation_id="job_detail", responses={200: JobOutputSerializer, **ERROR_RESPONSES})
    def get(self, request, job_id: int):
        job = get_object_or_404(_visible_jobs(request.user), id=job_id)
        return Response(JobOutputSerializer(job).data)


class JobCancelApi(APIView):
    @extend_schema(
        operation_id="job_cancel", request=None, responses={200: JobOutputSerializer, **ERROR_RESPONSES}
    )
    def post(self, request, job_id: int):
        job = get_object_or_404(_visible_jobs(request.user), id=job_id)
        if not request.user.is_superuser and job.requested_by_id != request.user.pk:
            require_department_role(request.user, job.department_id)  # a colleague needs a planner role
        job = job_request_cancel(job_id=job_id)
        return Response(JobOutputSerializer(job).data)
