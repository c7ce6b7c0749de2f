"""The waiting list for cancellations (issue 15.6): patients waiting for a type of
appointment, with a practitioner or anyone, from a date, at the times of day and on the
weekdays they can come; offered a slot when a matching appointment is cancelled
(`services.offer_cancelled_slot`, called by clinic.diary.services.appointment_cancel),
booked when they take it."""
