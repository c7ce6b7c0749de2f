"""The sources the reference data and the safety checks cite (DOMAIN §9): what "Source:
S89" under a finding means, for any member of staff."""

from django.shortcuts import render

from clinic.permissions import authenticated
from treatments import selectors


@authenticated
def source_list(request):
    return render(request, "treatments/source_list.html", {"sources": selectors.source_list()})
