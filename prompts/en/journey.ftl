## The new hire's onboarding journey (prompts/onboarding.toml): items, the checklist in the
## private thread, its reminders, the probation decision, and the commands that adjust it.

journey-item-velkomstbrev = Send a welcome letter with the time, the place and the first week's plan
journey-item-fadder_avtalt = Agree with the buddy and share the first week's plan
journey-item-les_velkomst = Read the welcome letter and the first week's plan
journey-item-adgangskort = Collect the access card
journey-item-pc_tilganger = Get a PC, a user account and access
journey-item-velkomstsamtale = Welcome conversation with the manager
journey-item-fadder_omvisning = A tour and lunch with the buddy
journey-item-hms_introduksjon = Health and safety (HMS) introduction: escape routes, fire safety and the incident system
journey-item-mote_verneombud = Meet the safety representative
journey-item-enhetens_rutiner = Go through the unit's routines
journey-item-personalmappe = Check that the contract is in the personnel file
journey-item-kompetanse_cv = Register the CV and competences in the competence module
journey-item-kurs_informasjonssikkerhet = Mandatory course on information security
journey-item-kurs_personvern = Mandatory course on privacy
journey-item-fadder_oppfolging = Follow-up chat with the buddy after the first month
journey-item-oppfolging_1 = First follow-up conversation during probation
journey-item-oppfolging_2 = Second follow-up conversation during probation
journey-item-provetid_avgjort = Probation decided and recorded

journey-owner-new_hire = new hire
journey-owner-manager = manager
journey-owner-buddy = buddy
journey-owner-hr = HR

journey-group-before_start = Before the first day
journey-group-first_day = The first day
journey-group-first_week = The first week
journey-group-first_month = The first month
journey-group-probation = Probation

journey-thread-name = Welcome – case #{ $case }
journey-heading = **Onboarding journey for { $new_hire }** (case #{ $case } { $title })
journey-people = Manager: { $manager } · Buddy: { $buddy } · Probation ends { $end }
journey-no-buddy = none yet
journey-progress = { $bar } { $done } of { $total } items
journey-item-line = { $mark } **{ $item }** ({ $owner }, by { $due })
journey-item-ticked = ✅ { $who } { $when }
journey-closed-continues = Probation decided: the employment continues ({ $when }). The journey is closed.
journey-closed-dismissed = Probation decided: a dismissal was given in time ({ $when }). The journey is closed.
journey-welcome = Welcome, { $new_hire }! Here is your onboarding journey. Tick your items when they are done.
btn-journey-mine = My items
btn-journey-continues = The employment continues
btn-journey-dismissed = Dismissal given in time

reply-journey-named = The onboarding journey of case #{ $case } is open for { $new_hire }: { $thread }
reply-journey-buddy = The buddy of case #{ $case } is now { $buddy }.
reply-journey-ticked = Ticked: { $item }
reply-journey-decided = The probation of case #{ $case } is recorded as decided, and the journey is closed.
refusal-journey-not-yours = This item is for the { $owner }. Only they (or the manager) can tick it.
refusal-journey-done = This item is already ticked.
refusal-journey-closed = The onboarding journey is closed.
refusal-journey-unknown = This item is not on the journey.
refusal-journey-decision = Probation is recorded with the decision's buttons.
refusal-journey-not-manager = Only the case's manager (or HR) can record that probation is decided.
refusal-journey-none = The case has no onboarding journey yet. The manager opens it with /rekruttering nyansatt.
refusal-journey-exists = The case already has an onboarding journey.
refusal-journey-no-start = Set the case's start date before opening the onboarding journey.
refusal-journey-no-channel = No onboarding channel is set. An administrator sets it with /oppsett kanaler.
refusal-journey-bot = A bot cannot be the new hire or the buddy.
refusal-journey-template = The onboarding journey cannot be changed like that: item `{ $item }`: { $fault }
refusal-journey-template-none = The onboarding journey cannot be changed like that: { $fault }

journey-fault-syntax = the file cannot be read ({ $detail })
journey-fault-probation_months = probation of { $n } months: it must be 1 to 6 months (arbeidsmiljøloven § 15-6)
journey-fault-no_items = the journey has no items
journey-fault-bad_id = the id must be 1 to 40 lowercase letters, digits or _
journey-fault-duplicate_item = the id is used by more than one item
journey-fault-no_day = the item has no day
journey-fault-two_days = the item has two days; give it one
journey-fault-day_out_of_range = day { $n } is outside the journey (from 60 days before the start to the end of probation)
journey-fault-unknown_system = the system «{ $detail }» is not in the process
journey-fault-unknown_docs = the link key «{ $detail }» is not in the process
journey-fault-missing_text = the item has no title ({ $detail })
journey-fault-bad_title = the title must be 1 to 100 characters
journey-fault-no_decision = no item is the probation decision
journey-fault-two_decisions = more than one item is the probation decision
journey-fault-decision_misplaced = the probation decision must be the manager's, counted back from the end of probation
journey-fault-decision_removed = the probation decision cannot be removed
journey-fault-unknown_item = there is no such item
journey-fault-bad_position = there is no position { $n }: the journey has { $count } items

reminder-journey-item = Onboarding, case #{ $case }: «{ $item }» is due today ({ $date }). { $thread }
reminder-journey-summary = Probation of the new hire in case #{ $case } { $title } ends { $date }: { $done } of { $total } items are done. Remember to record the decision before it ends. { $thread }
reminder-journey-escalation = The last working day of probation for case #{ $case } { $title } ({ $date }), and no decision is recorded. { $thread }
reminder-journey-heading = **Onboarding: { $count ->
        [one] 1 item
       *[other] { $count } items
    } to remember.** Tick the items with the buttons once done.
reply-journey-reminder-ticked = «{ $item }» is ticked on the checklist. { $thread }

mine-journey-heading = **Your onboarding items**
mine-journey-line = Case #{ $case }: { $item } (by { $due }) { $thread }

oppsett-journey-heading = **Onboarding journey** (version { $version }, probation { $months } months)
oppsett-journey-line = { $n }. { $item } ({ $owner }, { $when })
oppsett-journey-from-start = day { $days } from the start
oppsett-journey-before-end = { $days } days before probation ends
reply-journey-template = The onboarding journey is changed (version { $version }). New cases get this version; cases already started keep theirs.

cmd-rekruttering-nyansatt = new-hire
    .description = Name the new hire (and optionally a buddy) and open the onboarding journey
    .sak = case
    .sak-description = The case
    .person = person
    .person-description = The new hire's Discord account
    .fadder = buddy
    .fadder-description = The buddy (optional)
cmd-rekruttering-fadder = buddy
    .description = Set or change the buddy of the onboarding journey
    .sak = case
    .sak-description = The case
    .person = person
    .person-description = The buddy
cmd-oppsett-lop-legg-til = journey-add
    .description = Add an item to the onboarding journey
    .tittel = title
    .tittel-description = What is to be done
    .hvem = who
    .hvem-description = Who does it
    .hvem-new_hire = New hire
    .hvem-manager = Manager
    .hvem-buddy = Buddy
    .hvem-hr = HR
    .dag = day
    .dag-description = Days after the start date (negative: before)
cmd-oppsett-lop-fjern = journey-remove
    .description = Remove an item from the onboarding journey
    .punkt = item
    .punkt-description = The item
cmd-oppsett-lop-flytt = journey-move
    .description = Move an item in the onboarding journey
    .punkt = item
    .punkt-description = The item
    .plass = position
    .plass-description = The new position (1 is first)
cmd-oppsett-provetid = probation
    .description = Set the length of probation
    .maneder = months
    .maneder-description = Months (1 to 6)
