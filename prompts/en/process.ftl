# Texts for the recruitment process (prompts/process.toml), English.
# Each step has a short title (step-X, at most 60 characters) and a guide (step-X-guide).
# Each outcome has a button label (outcome-X-O, at most 40 characters).

## Phases

phase-behov = Need
phase-utlysning = Job posting
phase-soknader = Applications
phase-intervju = Interviews and recommendation
phase-tilbud = Offer
phase-arbeidsavtale = Contract and transfers
phase-mottak = Onboarding

## Roles

role-manager = Manager
role-hr = HR
role-union_rep = Union representative
role-approver = Approver (delegated authority)
role-payroll = Payroll
role-candidate = Candidate

## Systems

system-webcruiter = Webcruiter
system-hr_everyone = HR EveryOne
system-saks_arkiv = Case and archive system
system-lonnssystem = Payroll system (resource register)
system-kompetansemodul = Competence module
system-personalmappe = Personnel file
system-tidsregistrering = Time registration system
system-digipost = Digipost/eBoks

## Dates

date-soknadsfrist = Application deadline
date-startdato = Start date

## Step kinds

kind-task = Task
kind-if_needed = If needed
kind-choice = Choice
kind-approval = Approval
kind-system = Automatic
kind-date = Date

## A candidate's answer

answer-waiting = Not asked yet
answer-offered = Offered, awaiting reply
answer-accepted = Accepted
answer-declined = Declined

## Deadlines

deadline-legal = Statutory deadline
deadline-onboarding = Onboarding deadline

## 1. Need

step-stilling_vakant = Position vacant
step-stilling_vakant-guide = A position has become vacant, or a new one is needed. Confirm that the case concerns the right position; that completes the step and opens the next one.

step-tidlig_involvering = Involve the union representative early
step-tidlig_involvering-guide = Contact the union representative early, before you go any further. They are also notified here in the thread. Mark the step as done once they have been informed.

step-vurderer_behov = Assess the need: new hire or change
step-vurderer_behov-guide = Choose what the case is about: **New hire** (you are recruiting someone), **Change without a new contract** (the change is made in HR EveryOne and the case ends there) or **A new position must be created** (the position is created before it is advertised). HR can help if needed.
outcome-vurderer_behov-nyansettelse = New hire
outcome-vurderer_behov-uten_ny_avtale = Change without a new contract
outcome-vurderer_behov-ny_stilling = A new position must be created

step-adm_arbeid = Necessary administrative work
step-adm_arbeid-guide = Do the administrative work needed, such as converting a position or writing an administrative decision. It is required when a new position is being created; otherwise it may be marked *Not applicable* with a reason.

step-endringer_hr_system = Make the necessary changes in the HR system
step-endringer_hr_system-guide = Make the necessary changes in HR EveryOne. The step is done once the changes are saved there. If the case is a change without a new contract, it ends after this step.

step-sjekk_rapport_hr1072l = Check report HR1072L
step-sjekk_rapport_hr1072l-guide = Run report HR1072L in HR EveryOne and go through it. Mark the step as done once the report has been checked.

step-sjekk_overtallige = Check for surplus/redeployed staff (DPR0099)
step-sjekk_overtallige-guide = Check in HR EveryOne (DPR0099) whether anyone in your agency is surplus or redeployed and has a preferential right (Working Environment Act § 14-2). They must be considered before the position is advertised. Record only that you checked, never who.

## 2. Job posting

step-behovsanalyse = Carry out a needs analysis
step-behovsanalyse-guide = Do the needs analysis in Webcruiter: the duties, qualifications and personal qualities the position requires. Mark the step as done once the analysis is finished.

step-ny_utlysning = Create the job posting
step-ny_utlysning-guide = Create a new job posting in Webcruiter, or copy an existing one. Mark the step as done once the draft is ready.

step-legger_til_involverte = Add everyone involved in the recruitment
step-legger_til_involverte-guide = In Webcruiter, add everyone taking part in the recruitment: HR, the union representative and the interview panel. HR and the union representative are also notified here in the thread. Mark the step as done once everyone is added.

step-utlyser_stilling = Publish the position
step-utlyser_stilling-guide = Publish the posting in Webcruiter and enter the application deadline here (dd.mm.yyyy). That completes the step. If the deadline is extended later, the original deadline still applies to the applicant list.

step-annonse_arkivert = Posting archived (hiring case created)
step-annonse_arkivert-guide = The job posting is archived automatically in the case and archive system, and a hiring case is created. Confirm here once you can see that the hiring case exists.

## 3. Applications

step-papirsoknader = Enter paper applications in Webcruiter
step-papirsoknader-guide = If any applications arrived on paper, enter them manually in Webcruiter. If there were none, the step may be marked *Not applicable* with a reason.

step-info_til_sokere = Inform all applicants about the process
step-info_til_sokere-guide = Send all applicants information about the recruitment process from Webcruiter. Mark the step as done once it has been sent.

step-behandler_soknader = Process applications
step-behandler_soknader-guide = Go through and assess the applications in Webcruiter. Mark the step as done once they have been processed and you know who you want to take forward.

step-sjekker_fortrinnsrett = Check preferential rights
step-sjekker_fortrinnsrett-guide = Check in Webcruiter whether any applicants have a preferential right, such as redeployed, surplus or part-time staff (Working Environment Act §§ 14-2 and 14-3). Record only that you checked, never who.

step-arkiverer_sokerliste = Archive the public/extended applicant list
step-arkiverer_sokerliste-guide = Archive the public and extended applicant lists manually in the case and archive system. The public list is due the day after the original application deadline (Freedom of Information Act § 25). **Never** post nationality, gender, date of birth or similar details in this chat.

## 4. Interviews and recommendation

step-planlegger_intervjuer = Plan and hold interviews
step-planlegger_intervjuer-guide = Plan and hold the interview rounds. The union representative may take part and is notified here in the thread. Mark the step as done once the interviews have been held.

step-lokalt_rad = Interviews with the local council
step-lokalt_rad-guide = If the candidates are also to be interviewed by the local council (lokalt råd), do it now. If not, the step may be marked *Not applicable* with a reason.

step-skriver_innstilling = Write the recommendation
step-skriver_innstilling-guide = Write the recommendation in Webcruiter. Then enter the recommended candidates here by display name and rank only, with no other details. The union representative reads the recommendation directly in Webcruiter.

step-dialog_tillitsvalgt = Agree with the union rep on the right candidate
step-dialog_tillitsvalgt-guide = Go through the recommendation with the union representative. Both you and the union representative must confirm here that you agree on who is ranked first. If you do not agree, reopen *Write the recommendation*.

step-til_godkjenning = For approval
step-til_godkjenning-guide = The manager with delegated authority approves the recommendation, or rejects it with a reason. If it is rejected, the case goes back to *Write the recommendation*.
outcome-til_godkjenning-godkjent = Approved
outcome-til_godkjenning-avvist = Rejected

## 5. Offer

step-ringer_kandidat = Call the candidate with a verbal offer
step-ringer_kandidat-guide = Call the highest-ranked candidate who has not yet been asked and make a verbal offer of the position. Mark the step as done once the offer has been made.

step-svar_paa_tilbud = Reply to the offer
step-svar_paa_tilbud-guide = Record the candidate's reply. If they decline, the offer goes to the next candidate in the recommendation. If nobody is left, the case goes back to *Process applications*.
outcome-svar_paa_tilbud-ja = Candidate accepted
outcome-svar_paa_tilbud-nei = Candidate declined

step-kandidat_til_hr = Transfer the candidate to HR EveryOne
step-kandidat_til_hr-guide = Set the status to "Tilbud" (offer) in Webcruiter to transfer the candidate to HR EveryOne. Enter the start date here (dd.mm.yyyy); the contract and onboarding deadlines are counted from it.

## 6. Contract and transfers

step-forberedelse_arbeidsavtale = Prepare the employment contract
step-forberedelse_arbeidsavtale-guide = Fill in OPF Stillingsopplysninger (position details) in HR EveryOne so that the employment contract can be sent. Mark the step as done once the details have been submitted.

step-arbeidsavtale_sendt = Employment contract sent
step-arbeidsavtale_sendt-guide = HR EveryOne sends the employment contract to the candidate automatically via Digipost/eBoks. Confirm here once you can see that it has been sent.

step-signerer_arbeidsavtale = Sign the employment contract
step-signerer_arbeidsavtale-guide = You and the candidate sign the employment contract via Digipost/eBoks. Mark the step as done once both of you have signed. Under the Working Environment Act § 14-5, the contract must be in place no later than 7 days after the start date.

step-overforing_lonn = Transfer to payroll (resource register)
step-overforing_lonn-guide = The new employee is transferred automatically to the payroll system (resource register). Confirm here once you can see them there.

step-overforing_kompetanse = Transfer the CV to the competence module
step-overforing_kompetanse-guide = The CV is transferred automatically to the competence module. Confirm here once you can see it there.

step-overforing_personalmappe = Transfer to the personnel file
step-overforing_personalmappe-guide = The personnel file is created automatically and the documents are transferred to it. Confirm here once you can see that the personnel file exists.

step-overforing_tid = Transfer to time registration
step-overforing_tid-guide = The new employee is transferred automatically to the time registration system. Confirm here once you can see that they are registered there.

step-kvalitetssikring_lonn = Quality-check the payroll entry
step-kvalitetssikring_lonn-guide = Check that the new employee's details are correct in the payroll system (resource register). Mark the step as done once everything is right.

step-arkiverer_cv = Archive the CV and application
step-arkiverer_cv-guide = Manually archive the new employee's CV and application in the hiring case in the case and archive system. Mark the step as done once the documents are archived.

step-avslutter_utlysning = Close the job posting
step-avslutter_utlysning-guide = Close the job posting in Webcruiter, which archives it there. All applicant data is deleted after 12 months, including what is stored here.

## 7. Onboarding

step-bestiller_utstyr = Order equipment and system access
step-bestiller_utstyr-guide = Order the equipment and system access the new employee needs, in good time before the start date. Mark the step as done once everything is ordered.

step-bestiller_velkomstpakke = Order a welcome package
step-bestiller_velkomstpakke-guide = Order a welcome package for the new employee in good time before the start date. Mark the step as done once it is ordered.

step-tar_imot = Welcome the new employee
step-tar_imot-guide = Meet the new employee and welcome them on their first day. The step can be marked as done from the start date onwards.

## History (one line per event)

event-case_opened = { $who } opened the case for the position *{ $detail }*
event-step_opened = *{ $step }* is now open
event-step_completed = { $who } marked *{ $step }* as done
event-step_skipped = { $who } marked *{ $step }* as not applicable: { $detail }
event-step_confirmed = { $who } ({ $detail }) confirmed *{ $step }*
event-outcome_chosen = { $who } chose *{ $outcome }* for *{ $step }*
event-approved = *{ $step }*: approved by { $who }
event-rejected = *{ $step }*: rejected by { $who }. Reason: { $detail }
event-candidates_set = { $who } entered the recommended candidates in rank order: { $detail }
event-offer_made = { $detail } has been made a verbal offer
event-offer_accepted = { $detail } accepted the offer
event-offer_declined = { $detail } declined the offer
event-candidates_exhausted = Every candidate in the recommendation has declined. The case goes back to processing applications.
event-date_set = { $who } set a date: { $detail }
event-step_reopened = { $who } reopened *{ $step }*: { $detail }
event-step_withdrawn = *{ $step }* was closed without being done, because the case went back or was closed
event-case_completed = The case is complete. Every step is finished.
event-case_closed = { $who } closed the case: { $detail }
event-deputy_named = { $who } named { $detail } deputy for the case's manager
event-deputy_removed = { $who } removed { $detail } as deputy
