"""The subject access copy laid out as a document for the patient (issue 13.20)."""

from django import template

from patients.subject_access_document import SubjectAccessDocument, subject_access_document

register = template.Library()


@register.simple_tag
def as_document(copy) -> SubjectAccessDocument:
    """`{% as_document copy as document %}`: the copy's sections for a reader."""
    return subject_access_document(copy)
