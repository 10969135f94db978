from drf_spectacular.utils import extend_schema
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors_schema import ERROR_RESPONSES
from api.jobs.serializers import JobOutputSerializer
from ops.jobs import job_request_cancel
from ops.models import Job


def _visible_jobs(user):
    jobs = Job.objects.all()
    return jobs if user.is_staff else jobs.filter(requested_by=user)


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
        get_object_or_404(_visible_jobs(request.user), id=job_id)
        job = job_request_cancel(job_id=job_id)
        return Response(JobOutputSerializer(job).data)
