from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

# --- Student list and student page ---------------------------------------------------


@login_required
def student_list(request):
    return HttpResponse("todo")


@login_required
def student_detail(request, public_id):
    return HttpResponse("todo")


# --- Administration import (school coordinators) ------------------------------------


@login_required
def import_upload(request):
    return HttpResponse("todo")


@login_required
def import_preview(request, batch_id):
    return HttpResponse("todo")
