"""The demo seed, one module per thing it makes; `manage.py seed_demo` (the command in
clinic/management/commands/seed_demo.py) parses the options, shows progress and calls them
in this order, from one random generator (so the same seed makes the same clinic):

- staff: the demo logins (StaffSeeder);
- patients: patients, questionnaires, prior treatments (PatientSeeder);
- sessions: 18 months of treatment replayed in date order (TreatmentHistory), made of
  plans (what each patient is treated for), stock (vials), signing (sessions signed by the
  services or in bulk) and followups (rule-made and hand-made tasks), on the replay clock;
- outcomes: outcome scores (OutcomeSeeder);
- side_effects: reactions and phoned-in reports (SideEffectSeeder);
- access: access events and subject access requests (AccessSeeder);
- background: a finished report export and a failed job (BackgroundWorkSeeder);
- diary: working hours and a week of appointments around today (DiarySeeder);
- messages: reminders, recalls, aftercare advice and the waiting list (MessagesSeeder).

Every name, date, phone and NHS number is invented. Adding to the demo: put the new rows in
the module of what they are (or a new module here, listed above) and call it from the
command; draw random numbers only after the existing draws, or every figure changes.
"""
