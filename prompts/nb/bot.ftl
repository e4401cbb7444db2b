# Bokmål: what the bot itself says (cards, buttons, forms, commands, setup).

## The case card
card-footer = Sak #{ $case } · versjon { $version }
card-phase = **Fase { $n } av { $total }: { $phase }**
card-completed = ✅ **Fullført** { $when }
card-closed = ⛔ **Avsluttet** { $when } av { $by }: { $reason }
card-progress = { $bar } { $done } av { $total } steg
card-where = Hvor
card-docs = Brukerdokumentasjon
card-responsible = Ansvarlig
card-deputy = Stedfortreder
card-confirmed = bekreftet av { $by } ({ $role })
card-due = Frist
card-candidates = Kandidater i innstillingen
card-more-steps = Flere åpne steg …

## Buttons
btn-done = Utført
btn-agree = Enig
btn-skip = Ikke aktuelt
btn-approve = Godkjenn
btn-reject = Avvis
btn-candidates = Legg inn kandidater
btn-date-soknadsfrist = Sett søknadsfrist
btn-date-startdato = Sett startdato
btn-help = Be HR om hjelp

## Forms
form-new-title = Ny rekrutteringssak
form-skip-title = Ikke aktuelt – begrunnelse
form-reject-title = Avvis innstillingen
form-reason-placeholder = { $step }: hvorfor?
form-date-placeholder = dd.mm.åååå, for eksempel 01.03.2027
form-reopen-title = Gjenåpne steg – begrunnelse
form-date-title-soknadsfrist = Søknadsfrist
form-date-title-startdato = Startdato for den nyansatte
form-candidates-title = Kandidater i innstillingen
form-candidates-placeholder = Ett visningsnavn per linje, i rangert rekkefølge
field-title = Stillingstittel
field-unit = Enhet
field-note = Notat (valgfritt)
field-reason = Begrunnelse
field-candidates = Kandidater (ett navn per linje)
field-days = Antall dager
field-page = side

## Lines in the case thread
case-announced = 📋 **Ny rekrutteringssak #{ $case }:** { $title }, { $unit }. Ansvarlig leder: { $owner }.
line-next = ➡️ Neste: { $steps } – { $who }
quoted = «{ $text }»
list-and = { $items } og { $last }
line-help = 🆘 { $hr }: { $who } ber om bistand i saken *{ $title }*.
line-reopened-detail = { $reason } – { $undone }
# The name of a case's thread. A link to it shows "#" in front, so the name starts with the case's number.
thread-name = { $case } { $title } – { $unit }
# A case where no link to its thread can be given.
case-ref = #{ $case } { $title }

## Replies
reply-help-sent = HR er varslet i tråden.
reply-help-already = Du ba HR om hjelp i denne saken { $when }. HR ser det; du kan spørre igjen om en time.
reply-case-opened = Saken #{ $case } er opprettet: { $thread }
reply-case-opened-no-thread = Saken #{ $case } er registrert, men Discord lot meg ikke åpne tråden i { $channel } ennå. Jeg prøver igjen av meg selv; be en administrator sjekke at jeg kan opprette tråder der (`/oppsett vis`).
reply-reopened = Sak #{ $case }: *{ $step }* er åpnet igjen. { $undone }
reopen-preview = **Sak #{ $case }: gå tilbake til *{ $step }*?** Steget åpnes igjen. { $undone } Trykk «{ $button }» og skriv begrunnelsen for å gjøre det; ingenting er endret ennå.
reopen-undone =
    { $count ->
        [0] Ingen steg etter det er påbegynt.
        [one] Ett steg etter det må gjøres på nytt: { $steps }.
       *[other] { $count } steg etter det må gjøres på nytt: { $steps }.
    }
btn-reopen = Gjenåpne
refusal-case-changed = Sak #{ $case } er endret siden du fikk se hva som ville bli gjenåpnet. Kjør /rekruttering gjenapne på nytt for å se hva det gjelder nå.

## The private view of one step ("Flere åpne steg")
view-step-done = ✅ Utført av { $by } { $when }.
view-step-skipped = ✅ Markert som ikke aktuelt av { $by } { $when }.
view-step-not-open = Steget er ikke åpent lenger. Se saks-kortet.

## Naming what is on the shared messages, for a reader of another language
# A step, button or field as the card shows it, then in the reader's language.
name-shown-own = { $shown } ({ $own })
reply-case-closed = Sak #{ $case } er avsluttet.
reply-deputy-named = Sak #{ $case }: { $deputy } er nå stedfortreder for sakens leder, med samme rett til å gjøre lederens steg og få lederens påminnelser.
reply-deputy-removed = Sak #{ $case } har ikke lenger stedfortreder.
# Hvem som gjorde noe, når noen andre enn sakens leder gjorde lederens del for lederen.
event-on-behalf = { $who } (på vegne av { $manager })
mine-nothing = Ingenting venter på deg akkurat nå. 🎉
mine-header = **Dette venter på deg ({ $count }):**
mine-line = · Sak #{ $case } { $title }: *{ $step }* (åpen siden { $since })
overview-title = Åpne rekrutteringssaker: { $count } (side { $page } av { $pages })
overview-empty = Ingen åpne saker.
history-header = **Historikk for sak #{ $case }** (side { $page })
history-empty = Ingen flere hendelser.

## Setup
setup-title = Oppsett for rekrutteringsloset
setup-unset = ikke satt
setup-role-manager = Lederrolle
setup-manager-anyone = alle kan opprette saker
setup-role-hr = HR-rolle
setup-role-union_rep = Tillitsvalgt-rolle
setup-role-approver = Godkjenner-rolle (delegasjonsmyndighet)
setup-role-payroll = Lønn-rolle
setup-channel-cases = Kanal for saker
setup-channel-hr = Kanal for HR-påminnelser
setup-channel-onboarding = Kanal for onboarding-sjekklister
setup-link = Lenke
setup-reminders = Påminnelser kl. { $time }; et steg regnes som stående etter { $stall } arbeidsdager og sendes til HR etter { $escalate } til; HR-sammendrag: `{ $digest }`
setup-complete = ✅ Oppsettet er komplett.
setup-missing = ⚠️ Mangler: { $missing }
setup-language = Språk i felles meldinger (saks-kort, tråder, påminnelser i kanaler): { $language }
setup-notifications = Varsler i sakstrådene: { $level }
language-nb = norsk bokmål
language-en = engelsk
notifications-every_step = hvert steg som åpnes, med varsel til de som skal gjøre det
notifications-when_asked = bare når noen blir bedt om å gjøre noe
notifications-digest_only = ingen varsler i trådene; HR-sammendraget og direktemeldinger

## Errors not from the process
refusal-not-set-up = Boten er ikke ferdig satt opp på denne serveren. Mangler: { $missing }. Be en administrator kjøre /oppsett.
refusal-unknown-component = Denne knappen hører ikke til en sak boten kjenner. Bruk knappene på det nyeste saks-kortet.
refusal-role-needed = Dette kan bare gjøres av: { $roles }.
refusal-admin-only = Bare administratorer kan endre oppsettet.
error-internal = Beklager, noe gikk galt hos oss. Se på saks-kortet om endringen kom med, og prøv igjen om litt, eller be HR om hjelp.
input-docs-key-invalid = «{ $input }» er ikke en kjent lenkenøkkel. Velg en av: { $known }.
input-url-invalid = «{ $input }» er ikke en gyldig lenke. Den må begynne med https://.
input-number-invalid = «{ $input }» er ikke et gyldig tall for *{ $field }*.
input-argument-invalid = «{ $input }» kan ikke brukes her. Sjekk verdien og prøv igjen.
input-value-invalid = En av verdiene du skrev kan ikke brukes her. Sjekk dem og prøv igjen.
input-cron-invalid = «{ $input }» er ikke et gyldig tidsuttrykk (cron med sekunder, for eksempel `0 0 8 * * Mon-Fri`).
input-time-invalid = «{ $input }» er ikke et klokkeslett. Skriv for eksempel 08:00.

## Commands (the value is the command's name in this language)
cmd-rekruttering = rekruttering
    .description = Rekrutteringssaker: opprett, se status og oversikt
cmd-rekruttering-ny = ny
    .description = Opprett en ny rekrutteringssak
cmd-rekruttering-status = status
    .description = Vis saks-kortet for en sak
    .sak = sak
    .sak-description = Saken (velg fra listen)
cmd-rekruttering-mine = mine
    .description = Det som venter på deg, på tvers av saker
cmd-rekruttering-oversikt = oversikt
    .description = HR: åpne saker etter fase, forfalte først
    .side = side
    .side-description = Sidenummer
cmd-rekruttering-historikk = historikk
    .description = Historikken for en sak
    .sak = sak
    .sak-description = Saken (velg fra listen)
    .side = side
    .side-description = Sidenummer
cmd-rekruttering-gjenapne = gjenapne
    .description = Gå tilbake til et utført steg og gjør det på nytt
    .sak = sak
    .sak-description = Saken
    .steg = steg
    .steg-description = Steget som skal gjøres på nytt (du ser hva det angrer før noe endres)
cmd-rekruttering-avslutt = avslutt
    .description = Avslutt en sak før den er ferdig
    .sak = sak
    .sak-description = Saken som skal avsluttes
    .grunn = grunn
    .grunn-description = Hvorfor saken avsluttes
cmd-rekruttering-stedfortreder = stedfortreder
    .description = Gi sakens leder en stedfortreder, eller fjern den (sakens leder eller HR)
    .sak = sak
    .sak-description = Saken
    .person = person
    .person-description = Stedfortrederen (la stå tom for å fjerne den som er satt)
cmd-oppsett = oppsett
    .description = Oppsett av rekrutteringsloset (administratorer)
cmd-oppsett-vis = vis
    .description = Vis oppsettet og hva som mangler
cmd-oppsett-roller = roller
    .description = Hvilke roller er HR, tillitsvalgt og godkjenner
    .hr = hr
    .hr-description = Rollen til HR-rådgiverne
    .tillitsvalgt = tillitsvalgt
    .tillitsvalgt-description = Rollen til de tillitsvalgte
    .godkjenner = godkjenner
    .godkjenner-description = Rollen til ledere med delegasjonsmyndighet
    .leder = leder
    .leder-description = Bare denne rollen kan opprette saker (valgfritt)
    .lonn = lonn
    .lonn-description = Rollen til lønn (valgfritt)
cmd-oppsett-kanaler = kanaler
    .description = Hvor saker, HR-påminnelser og sjekklister havner
    .saker = saker
    .saker-description = Kanalen der hver sak får sin tråd
    .hr = hr
    .hr-description = Kanalen for HR-påminnelser og sammendrag
    .onboarding = onboarding
    .onboarding-description = Kanalen for onboarding-sjekklister
cmd-oppsett-lenke = lenke
    .description = Sett en lenke til brukerdokumentasjon
    .nokkel = nokkel
    .nokkel-description = Hvilken dokumentasjon (webcruiter, hr_everyone, rutiner)
    .url = url
    .url-description = Lenken (https://…)
cmd-oppsett-paminnelser = paminnelser
    .description = Frister og tidspunkter for påminnelser
    .utstyr = utstyr
    .utstyr-description = Dager før startdato: bestille utstyr (standard 21)
    .velkomstpakke = velkomstpakke
    .velkomstpakke-description = Dager før startdato: velkomstpakke (standard 10)
    .kontrakt = kontrakt
    .kontrakt-description = Dager etter startdato: signert arbeidsavtale (standard 7)
    .stopp = stopp
    .stopp-description = Arbeidsdager før et åpent steg gir påminnelse (standard 5)
    .eskaler = eskaler
    .eskaler-description = Flere arbeidsdager før HR varsles (standard 5)
    .klokkeslett = klokkeslett
    .klokkeslett-description = Når påminnelser sendes, TT:MM (standard 08:00)
    .sammendrag = sammendrag
    .sammendrag-description = Når HR-sammendraget sendes (cron med sekunder)
cmd-oppsett-sprak = sprak
    .description = Språket i felles meldinger: saks-kort, knapper, tråder, påminnelser i kanaler
    .sprak = sprak
    .sprak-description = Det alle ser på serveren; hver person får svar til seg selv på sitt eget språk
    .sprak-nb = norsk bokmål
    .sprak-en = engelsk
cmd-oppsett-varsler = varsler
    .description = Hvor mye boten varsler i sakstrådene
    .niva = niva
    .niva-description = Hvem som får varsel, og når
    .niva-every_step = hvert steg
    .niva-when_asked = bare når noen skal gjøre noe (standard)
    .niva-digest_only = bare HR-sammendrag og direktemeldinger

## Påminnelser og HR-sammendrag
reminder-heading = **Påminnelser ({ $count })**
reminder-onboarding = 📦 Sak #{ $case } { $title }: «{ $step }» skal være gjort innen { $date }. { $thread }
reminder-onboarding-hr = 📦 Til HR: sak #{ $case } { $title }: «{ $step }» er fortsatt åpen, frist { $date }. { $thread }
reminder-legal-soon = ⚖️ Sak #{ $case } { $title }: lovpålagt frist for «{ $step }» er { $date }. { $thread }
reminder-legal-overdue = ⚠️ Til HR: sak #{ $case } { $title }: lovpålagt frist for «{ $step }» var { $date }, og steget er ikke gjort. { $thread }
reminder-stalled = ⏳ Sak #{ $case } { $title }: «{ $step }» har stått åpen en stund. { $thread }
reminder-stalled-escalation = ⏳ Til HR: sak #{ $case } { $title }: «{ $step }» har stått åpen lenge uten at noe har skjedd. { $thread }
reminder-purge-notice = 🗑️ Til HR: personopplysningene i sak #{ $case } { $title } slettes { $date }. { $thread }
reminder-overdue = ⚠️ Sak #{ $case } { $title }: «{ $step }» skulle vært gjort innen { $date } og er på overtid. { $thread }
reminder-late = (Sendt for sent: skulle ha gått ut { $due }.)
digest-heading = **HR-sammendrag { $date }**: forfalte og dagens oppgaver
digest-line-overdue = • ⚠️ { $thread }: «{ $step }», forfalt { $date }
digest-line-today = • { $thread }: «{ $step }», i dag
digest-line-soon = • { $thread }: «{ $step }», frist { $date }
btn-reminder-done = Utført
btn-reminder-snooze = Minn meg på i morgen
btn-reminder-open = Åpne saken
reply-reminder-done = «{ $step }» er registrert som utført.
reply-reminder-snoozed = Greit: du blir minnet på igjen { $when }.
checklist-heading = **Sjekkliste for ny medarbeider**: sak #{ $case } { $title }, første arbeidsdag { $start } { $thread }
checklist-due = {" "}· frist { $date }
checklist-ticked = {" "}· ✅ { $who }, { $when }
checklist-posted = Sjekklisten for arbeidsavtale og mottak er lagt ut: { $link }

## What the bot needs in a channel
input-channel-permissions = Jeg får ikke gjort jobben min i { $channel }: jeg mangler tillatelse til { $missing }. Gi meg det (i kanalens eller rollens tillatelser) og prøv igjen; ingenting er lagret.
setup-bot-lacks = ⚠️ I { $channel } mangler jeg tillatelse til { $missing }.
permission-view_channel = å se kanalen
permission-send_messages = å sende meldinger
permission-create_public_threads = å opprette offentlige tråder
permission-send_messages_in_threads = å sende meldinger i tråder
permission-create_private_threads = å opprette private tråder
permission-manage_threads = å administrere tråder
delivery-heading = ⚠️ **Boten får ikke levert alle meldinger.** Påminnelsene prøves igjen jevnlig i opptil { $days } dager og går ut så snart dette er rettet:
delivery-place-dm = direktemeldinger til { $user }
delivery-missing-access = • { $place }: boten har ikke tilgang der (siden { $since }). Gi boten tilgang til kanalen («Vis kanal»).
delivery-missing-permissions = • { $place }: boten får ikke skrive der (siden { $since }). Gi boten «Send meldinger» og «Send meldinger i tråder» der, eller lås opp tråden.
delivery-unknown-channel = • { $place }: kanalen finnes ikke lenger (siden { $since }). Velg en ny med `/oppsett kanaler`.
delivery-thread-gone = • Tråden til sak #{ $case } er slettet (siden { $since }); påminnelsene som skulle dit, er gitt opp. Følg saken med `/rekruttering status`, eller avslutt den med `/rekruttering avslutt`.
delivery-refused = • { $place }: Discord avviser meldingene fra boten (siden { $since }). Si fra til den som drifter boten.
delivery-unreachable = • { $place }: meldinger dit har ikke kommet fram på lenge og er gitt opp (siden { $since }). Sjekk stedet, og si fra til den som drifter boten.
setup-problems = **Leveringsproblemer** (rett dem, så går meldingene ut igjen):
