"""The private calendar feed: its settings page and the feed itself."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from clinic.audit import record_access
from clinic.diary import feeds
from clinic.permissions import public, require_perm


@require_perm(feeds.FEED_PERMISSION)
def feed_settings(request):
    """A practitioner's own feed: the secret link (shown to them), a new one, or off."""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            feeds.feed_revoke(practitioner=request.user)
            messages.success(request, "The calendar link is switched off.")
        else:
            feeds.feed_issue(practitioner=request.user)
            messages.success(request, "A new calendar link is ready: the old one stops working.")
        return redirect("diary:feed_settings")
    feed = getattr(request.user, "calendar_feed", None)
    url = last_read = None
    if feed is not None and feed.is_active:
        url = request.build_absolute_uri(reverse("diary:feed", kwargs={"token": feed.token}))
        last_read = feeds.feed_last_read(feed=feed)
    context = {"feed": feed, "url": url, "last_read": last_read}
    return render(request, "diary/feed_settings.html", context)


@public
def feed(request, token):
    """The iCalendar file for a phone's calendar: the secret in the address is the key.
    Initials and appointment types only; a revoked or unknown link is 404."""
    active = feeds.feed_active(token=token)
    if active is None:
        raise Http404
    response = HttpResponse(feeds.feed_calendar(feed=active), content_type="text/calendar")
    response["Content-Disposition"] = 'inline; filename="diary.ics"'
    response["Cache-Control"] = "private, no-store"
    # Patients' initials and times left the clinic: logged in its practitioner's name, from
    # where (a link read from an address they do not know is one to switch off). The path
    # without the secret: managers read this log.
    record_access(
        request,
        action="diary.feed",
        user=active.practitioner,
        object_ref=feeds.feed_ref(active),
        path=feeds.feed_logged_path(token),
    )
    return response
