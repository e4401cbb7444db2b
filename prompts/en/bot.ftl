# English: what the bot itself says (cards, buttons, forms, commands, setup).

## The case card
card-footer = Case #{ $case } · version { $version }
card-phase = **Phase { $n } of { $total }: { $phase }**
card-completed = ✅ **Completed** { $when }
card-closed = ⛔ **Closed** { $when } by { $by }: { $reason }
card-progress = { $bar } { $done } of { $total } steps
card-where = Where
card-docs = User documentation
card-responsible = Responsible
card-deputy = Deputy
card-confirmed = confirmed by { $by } ({ $role })
card-due = Due
card-candidates = Candidates in the recommendation
card-more-steps = More open steps …

## Buttons
btn-done = Done
btn-agree = Agree
btn-skip = Not applicable
btn-approve = Approve
btn-reject = Reject
btn-candidates = Enter candidates
btn-date-soknadsfrist = Set application deadline
btn-date-startdato = Set start date
btn-help = Ask HR for help

## Forms
form-new-title = New recruitment case
form-skip-title = Not applicable – reason
form-reject-title = Reject the recommendation
form-reason-placeholder = { $step }: why?
form-date-placeholder = dd.mm.yyyy, for example 01.03.2027
form-reopen-title = Reopen a step – reason
form-date-title-soknadsfrist = Application deadline
form-date-title-startdato = The new hire's start date
form-candidates-title = Candidates in the recommendation
form-candidates-placeholder = One display name per line, in ranked order
field-title = Position title
field-unit = Unit
field-note = Note (optional)
field-reason = Reason
field-candidates = Candidates (one name per line)
field-days = Number of days
field-page = page

## Lines in the case thread
case-announced = 📋 **New recruitment case #{ $case }:** { $title }, { $unit }. Hiring manager: { $owner }.
line-next = ➡️ Next: { $steps } – { $who }
quoted = “{ $text }”
list-and = { $items } and { $last }
line-help = 🆘 { $hr }: { $who } asks for help with the case *{ $title }*.
line-reopened-detail = { $reason } – { $undone }
# The name of a case's thread. A link to it shows "#" in front, so the name starts with the case's number.
thread-name = { $case } { $title } – { $unit }
# A case where no link to its thread can be given.
case-ref = #{ $case } { $title }

## Replies
reply-help-sent = HR has been notified in the thread.
reply-help-already = You asked HR for help on this case { $when }. HR can see it; you can ask again in an hour.
reply-case-opened = Case #{ $case } has been opened: { $thread }
reply-case-opened-no-thread = Case #{ $case } is registered, but Discord did not let me open its thread in { $channel } yet. I will keep trying; ask an administrator to check that I may create threads there (`/oppsett vis`).
reply-reopened = Case #{ $case }: *{ $step }* is open again. { $undone }
reopen-preview = **Case #{ $case }: go back to *{ $step }*?** The step opens again. { $undone } Press “{ $button }” and give the reason to do it; nothing has changed yet.
reopen-undone =
    { $count ->
        [0] No step after it has been started.
        [one] One step after it must be done again: { $steps }.
       *[other] { $count } steps after it must be done again: { $steps }.
    }
btn-reopen = Reopen
refusal-case-changed = Case #{ $case } has changed since you were shown what would be reopened. Run /rekruttering gjenapne again to see what it means now.

## The private view of one step ("More open steps")
view-step-done = ✅ Done by { $by } { $when }.
view-step-skipped = ✅ Marked as not applicable by { $by } { $when }.
view-step-not-open = The step is no longer open. See the case card.

## Naming what is on the shared messages, for a reader of another language
# A step, button or field as the card shows it, then in the reader's language.
name-shown-own = { $shown } ({ $own })
reply-case-closed = Case #{ $case } is closed.
reply-deputy-named = Case #{ $case }: { $deputy } is now the deputy of the case's manager, with the same right to do the manager's steps and get the manager's reminders.
reply-deputy-removed = Case #{ $case } no longer has a deputy.
# Who did something, when someone other than the case's manager did the manager's part for them.
event-on-behalf = { $who } (on behalf of { $manager })
mine-nothing = Nothing is waiting for you right now. 🎉
mine-header = **Waiting for you ({ $count }):**
mine-line = · Case #{ $case } { $title }: *{ $step }* (open since { $since })
overview-title = Open recruitment cases: { $count } (page { $page } of { $pages })
overview-empty = No open cases.
history-header = **History of case #{ $case }** (page { $page })
history-empty = No more events.

## Setup
setup-title = Recruitment pilot setup
setup-unset = not set
setup-role-manager = Manager role
setup-manager-anyone = anyone may open cases
setup-role-hr = HR role
setup-role-union_rep = Union representative role
setup-role-approver = Approver role (delegated authority)
setup-role-payroll = Payroll role
setup-channel-cases = Channel for cases
setup-channel-hr = Channel for HR reminders
setup-channel-onboarding = Channel for onboarding checklists
setup-link = Link
setup-reminders = Reminders at { $time }; a step counts as stalled after { $stall } working days and goes to HR after { $escalate } more; HR digest: `{ $digest }`
setup-complete = ✅ The setup is complete.
setup-missing = ⚠️ Missing: { $missing }
setup-language = Language of shared messages (case cards, threads, reminders in channels): { $language }
setup-notifications = Notifications in case threads: { $level }
language-nb = Norwegian Bokmål
language-en = English
notifications-every_step = every step that opens, notifying the people who do it
notifications-when_asked = only when someone is asked to act
notifications-digest_only = no notifications in threads; the HR digest and direct messages

## Errors not from the process
refusal-not-set-up = The bot is not fully set up on this server. Missing: { $missing }. Ask an administrator to run /oppsett.
refusal-unknown-component = This button does not belong to a case the bot knows. Use the buttons on the latest case card.
refusal-role-needed = Only these may do this: { $roles }.
refusal-admin-only = Only administrators can change the setup.
error-internal = Sorry, something went wrong on our side. Check the case card to see whether the change went through, and try again shortly, or ask HR for help.
input-docs-key-invalid = “{ $input }” is not a known link key. Pick one of: { $known }.
input-url-invalid = “{ $input }” is not a valid link. It must start with https://.
input-number-invalid = “{ $input }” is not a valid number for *{ $field }*.
input-argument-invalid = “{ $input }” cannot be used here. Check the value and try again.
input-value-invalid = One of the values you typed cannot be used here. Check them and try again.
input-cron-invalid = “{ $input }” is not a valid schedule (cron with seconds, e.g. `0 0 8 * * Mon-Fri`).
input-time-invalid = “{ $input }” is not a time of day. Write e.g. 08:00.

## Commands (the value is the command's name in this language)
cmd-rekruttering = recruitment
    .description = Recruitment cases: open one, see status and overview
cmd-rekruttering-ny = new
    .description = Open a new recruitment case
cmd-rekruttering-status = status
    .description = Show a case's card
    .sak = case
    .sak-description = The case (pick from the list)
cmd-rekruttering-mine = mine
    .description = What is waiting for you, across cases
cmd-rekruttering-oversikt = overview
    .description = HR: open cases by phase, overdue first
    .side = page
    .side-description = Page number
cmd-rekruttering-historikk = history
    .description = The history of a case
    .sak = case
    .sak-description = The case (pick from the list)
    .side = page
    .side-description = Page number
cmd-rekruttering-gjenapne = reopen
    .description = Go back to a finished step and do it again
    .sak = case
    .sak-description = The case
    .steg = step
    .steg-description = The step to do again (you see what it undoes before anything changes)
cmd-rekruttering-avslutt = close
    .description = Close a case before its end
    .sak = case
    .sak-description = The case to close
    .grunn = reason
    .grunn-description = Why the case is closed
cmd-rekruttering-stedfortreder = deputy
    .description = Name a deputy for the case's manager, or remove them (the case's manager or HR)
    .sak = case
    .sak-description = The case
    .person = person
    .person-description = The deputy (leave empty to remove the one named)
cmd-oppsett = setup
    .description = Set up the recruitment pilot (administrators)
cmd-oppsett-vis = show
    .description = Show the setup and what is missing
cmd-oppsett-roller = roles
    .description = Which roles are HR, union reps and approvers
    .hr = hr
    .hr-description = The HR advisers' role
    .tillitsvalgt = union_rep
    .tillitsvalgt-description = The union representatives' role
    .godkjenner = approver
    .godkjenner-description = The role of managers with delegated authority
    .leder = manager
    .leder-description = Only this role may open cases (optional)
    .lonn = payroll
    .lonn-description = The payroll role (optional)
cmd-oppsett-kanaler = channels
    .description = Where cases, HR reminders and checklists go
    .saker = cases
    .saker-description = The channel where each case gets its thread
    .hr = hr
    .hr-description = The channel for HR reminders and digests
    .onboarding = onboarding
    .onboarding-description = The channel for onboarding checklists
cmd-oppsett-lenke = link
    .description = Set a link to user documentation
    .nokkel = key
    .nokkel-description = Which documentation (webcruiter, hr_everyone, rutiner)
    .url = url
    .url-description = The link (https://…)
cmd-oppsett-paminnelser = reminders
    .description = Deadlines and times for reminders
    .utstyr = equipment
    .utstyr-description = Days before the start date: order equipment (default 21)
    .velkomstpakke = welcome_package
    .velkomstpakke-description = Days before the start date: welcome package (default 10)
    .kontrakt = contract
    .kontrakt-description = Days after the start date: signed contract (default 7)
    .stopp = stalled
    .stopp-description = Working days before an open step sends a reminder (default 5)
    .eskaler = escalate
    .eskaler-description = More working days before HR is told (default 5)
    .klokkeslett = time
    .klokkeslett-description = When reminders go out, HH:MM (default 08:00)
    .sammendrag = digest
    .sammendrag-description = When HR's digest goes out (cron with seconds)
cmd-oppsett-sprak = language
    .description = The language of shared messages: case cards, buttons, threads, reminders in channels
    .sprak = language
    .sprak-description = What everyone on the server sees; what is said to one person stays in their own language
    .sprak-nb = Norwegian Bokmål
    .sprak-en = English
cmd-oppsett-varsler = notifications
    .description = How much the bot notifies people in case threads
    .niva = level
    .niva-description = Who is notified, and when
    .niva-every_step = every step
    .niva-when_asked = only when someone is asked to act (default)
    .niva-digest_only = only the HR digest and direct messages

## Reminders and HR digest
reminder-heading = **Reminders ({ $count })**
reminder-onboarding = 📦 Case #{ $case } { $title }: “{ $step }” is to be done by { $date }. { $thread }
reminder-onboarding-hr = 📦 To HR: case #{ $case } { $title }: “{ $step }” is still open, due { $date }. { $thread }
reminder-legal-soon = ⚖️ Case #{ $case } { $title }: the legal deadline for “{ $step }” is { $date }. { $thread }
reminder-legal-overdue = ⚠️ To HR: case #{ $case } { $title }: the legal deadline for “{ $step }” was { $date }, and the step is not done. { $thread }
reminder-stalled = ⏳ Case #{ $case } { $title }: “{ $step }” has been open for a while. { $thread }
reminder-stalled-escalation = ⏳ To HR: case #{ $case } { $title }: “{ $step }” has been open a long time with nothing happening. { $thread }
reminder-purge-notice = 🗑️ To HR: the personal data of case #{ $case } { $title } will be deleted on { $date }. { $thread }
reminder-overdue = ⚠️ Case #{ $case } { $title }: “{ $step }” was to be done by { $date } and is overdue. { $thread }
reminder-late = (Sent late: it was due { $due }.)
digest-heading = **HR digest { $date }**: overdue and today's actions
digest-line-overdue = • ⚠️ { $thread }: “{ $step }”, overdue since { $date }
digest-line-today = • { $thread }: “{ $step }”, today
digest-line-soon = • { $thread }: “{ $step }”, due { $date }
btn-reminder-done = Done
btn-reminder-snooze = Remind me tomorrow
btn-reminder-open = Open the case
reply-reminder-done = “{ $step }” is recorded as done.
reply-reminder-snoozed = All right: you will be reminded again on { $when }.
checklist-heading = **Checklist for the new hire**: case #{ $case } { $title }, first day { $start } { $thread }
checklist-due = {" "}· due { $date }
checklist-ticked = {" "}· ✅ { $who }, { $when }
checklist-posted = The checklist for the contract and the welcome is posted: { $link }

## What the bot needs in a channel
input-channel-permissions = I cannot do my job in { $channel }: I lack permission to { $missing }. Give it to me (in the channel's or the role's permissions) and try again; nothing was saved.
setup-bot-lacks = ⚠️ In { $channel } I lack permission to { $missing }.
permission-view_channel = view the channel
permission-send_messages = send messages
permission-create_public_threads = create public threads
permission-send_messages_in_threads = send messages in threads
permission-create_private_threads = create private threads
permission-manage_threads = manage threads
delivery-heading = ⚠️ **The bot cannot deliver every message.** Reminders are tried again regularly for up to { $days } days and go out as soon as this is fixed:
delivery-place-dm = direct messages to { $user }
delivery-missing-access = • { $place }: the bot has no access there (since { $since }). Give the bot access to the channel (“View Channel”).
delivery-missing-permissions = • { $place }: the bot may not post there (since { $since }). Give the bot “Send Messages” and “Send Messages in Threads” there, or unlock the thread.
delivery-unknown-channel = • { $place }: the channel no longer exists (since { $since }). Choose another with `/oppsett kanaler`.
delivery-thread-gone = • The thread of case #{ $case } was deleted (since { $since }); the reminders meant for it are given up. Follow the case with `/rekruttering status`, or close it with `/rekruttering avslutt`.
delivery-refused = • { $place }: Discord refuses the bot's messages (since { $since }). Tell whoever runs the bot.
delivery-unreachable = • { $place }: messages there have not got through for a long time and were given up (since { $since }). Check the place, and tell whoever runs the bot.
setup-problems = **Delivery problems** (fix them and the messages go out again):
