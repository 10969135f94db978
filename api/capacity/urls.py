from django.urls import path

from api.capacity import views

urlpatterns = [
    path("departments", views.DepartmentListApi.as_view(), name="department-list"),
    path("departments/<int:pk>", views.DepartmentDetailApi.as_view(), name="department-detail"),
    path("roles", views.RoleListApi.as_view(), name="role-list"),
    path("roles/<int:pk>", views.RoleDetailApi.as_view(), name="role-detail"),
    path("skills", views.SkillListApi.as_view(), name="skill-list"),
    path("skills/<int:pk>", views.SkillDetailApi.as_view(), name="skill-detail"),
    path("people", views.PersonListApi.as_view(), name="person-list"),
    path("people/bulk", views.PeopleBulkApi.as_view(), name="person-bulk"),
    path("people/<int:pk>", views.PersonDetailApi.as_view(), name="person-detail"),
    path("person-skills", views.PersonSkillListApi.as_view(), name="person-skill-list"),
    path("person-skills/<int:pk>", views.PersonSkillDetailApi.as_view(), name="person-skill-detail"),
    path("leave", views.LeaveListApi.as_view(), name="leave-list"),
    path("leave/<int:pk>", views.LeaveDetailApi.as_view(), name="leave-detail"),
    path("projects", views.ProjectListApi.as_view(), name="project-list"),
    path("projects/<int:pk>", views.ProjectDetailApi.as_view(), name="project-detail"),
    path("assignments", views.AssignmentListApi.as_view(), name="assignment-list"),
    path("assignments/<int:pk>", views.AssignmentDetailApi.as_view(), name="assignment-detail"),
]
