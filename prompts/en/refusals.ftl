# Refusals: when the bot cannot do what was asked. Short, polite, and say what to do instead.
# Shown only to the person who pressed (ephemeral).

refusal-not-your-role = *{ $step }* can only be marked by: { $roles }. Ask one of them to do it, or contact the server's administrator if you think you should have the role.
refusal-not-current-step = The step *{ $step }* is not open right now. Check the case to see which steps are waiting.
refusal-already-done = *{ $step }* has already been recorded by { $by } ({ $when }). If something needs correcting, the step can be reopened.
refusal-already-confirmed = *{ $step }* has already been confirmed by { $by } ({ $role }). The step is done once the other roles have confirmed too.
refusal-case-closed =
    { $status ->
        [completed] This case is complete, so nothing more can be recorded in it. Open a new case if you are recruiting again.
       *[closed] This case has been closed, so nothing more can be recorded in it. Open a new case if needed.
    }
refusal-unknown-step = The step "{ $step }" is not part of the process. Reload the case and try again.
refusal-unknown-outcome = "{ $outcome }" is not an option at *{ $step }*. Please use the buttons on the case.
refusal-wrong-kind = That cannot be done at *{ $step }*. Please use the buttons that belong to the step.
refusal-not-skippable = *{ $step }* cannot be marked as not applicable in this case. It has to be done before the case can move on.
refusal-reason-missing = Please give a short reason; it is saved in the case. Do not include personal details about applicants.
refusal-date-in-past = { $date } has already passed. Please enter today's date or a later one.
refusal-date-too-early = { $date } is too early. The date cannot be before { $earliest }.
refusal-date-too-far =
    { $key ->
        [soknadsfrist] { $date } is too far ahead. The application deadline can be { $latest } at the latest. If there is no fixed deadline, enter the date you will start assessing applicants. It can be moved later.
       *[startdato] { $date } is too far ahead. The start date can be { $latest } at the latest.
    }
refusal-date-not-asked = No step is asking for this date right now. You can set it once the step that needs it is open.
refusal-too-early = *{ $step }* can only be marked from { $date } onwards.
refusal-date-missing = *{ $step }* needs the date *{ $date_name }* first. Please set it and try again.
refusal-no-candidates = The recommendation needs at least one candidate. Enter the candidates in rank order, by display name only.
refusal-no-offer-open = No candidate is waiting to answer an offer. First mark that you have called the candidate and made a verbal offer.
refusal-not-finished = The step *{ $step }* has not been done yet, so it cannot be reopened.
refusal-not-case-manager = *{ $step }* belongs to the case's manager, { $manager }{ $has_deputy ->
        [yes] {" "}(or their deputy { $deputy })
       *[no] {""}
    }. HR can do it on the manager's behalf. A manager role on the server only lets you open cases.
refusal-not-case-manager-case = Only the case's manager, { $manager }{ $has_deputy ->
        [yes] {" "}(or their deputy { $deputy })
       *[no] {""}
    }, or HR can do this in this case.
refusal-deputy-is-manager = The case's manager cannot be their own deputy. Please choose someone else.
refusal-deputy-unchanged =
    { $has_deputy ->
        [yes] { $deputy } is already the deputy in this case. Nothing was changed.
       *[no] This case has no deputy to remove.
    }
refusal-not-on-case = Only those with a part in this case right now can ask HR for help here: the case's manager and deputy, HR, and whoever is asked on an open step. For anything else, please contact HR directly.
refusal-left-server = You are no longer a member of the server this case belongs to, so this button no longer works for you. Nothing was changed.

refusal-stale = { $by } changed the case just before you ({ $when }). Reload the case and check whether anything is still needed from you.
refusal-other-server = This case belongs to another server. Please open it there.
refusal-case-not-found = Could not find the case "{ $case }". Check that you have the right case and try again.

## Errors in what you typed

input-date-invalid = "{ $input }" is not a date. Please write the date as dd.mm.yyyy, for example 01.03.2027.
input-text-empty = *{ $field }* cannot be empty.
input-text-too-long = *{ $field }* is { $len } characters long; the limit is { $max }. Please shorten it and try again.
input-text-multiline = *{ $field }* must be on a single line.
