from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from capacity.selectors import unit_list_with_counts


@login_required
def home(request):
    return render(request, "web/home.html", {"units": unit_list_with_counts()})
