## The new hire's onboarding journey (prompts/onboarding.toml): items, the checklist in the
## private thread, its reminders, the probation decision, and the commands that adjust it.

journey-item-velkomstbrev = Send velkomstbrev med oppmøtetid, sted og planen for første uke
journey-item-fadder_avtalt = Avtal med fadderen og del planen for første uke
journey-item-les_velkomst = Les velkomstbrevet og planen for første uke
journey-item-adgangskort = Hent adgangskortet
journey-item-pc_tilganger = Få PC, brukerkonto og tilganger
journey-item-velkomstsamtale = Velkomstsamtale med lederen
journey-item-fadder_omvisning = Omvisning og lunsj med fadderen
journey-item-hms_introduksjon = HMS-introduksjon: rømningsveier, brannvern og avvikssystemet
journey-item-mote_verneombud = Møt verneombudet
journey-item-enhetens_rutiner = Gå gjennom enhetens rutiner
journey-item-personalmappe = Kontroller at arbeidsavtalen ligger i personalmappen
journey-item-kompetanse_cv = Registrer CV og kompetanse i kompetansemodulen
journey-item-kurs_informasjonssikkerhet = Obligatorisk kurs i informasjonssikkerhet
journey-item-kurs_personvern = Obligatorisk kurs i personvern
journey-item-fadder_oppfolging = Oppfølgingsprat med fadderen etter første måned
journey-item-oppfolging_1 = Første oppfølgingssamtale i prøvetiden
journey-item-oppfolging_2 = Andre oppfølgingssamtale i prøvetiden
journey-item-provetid_avgjort = Prøvetiden avgjort og registrert

journey-owner-new_hire = nyansatt
journey-owner-manager = leder
journey-owner-buddy = fadder
journey-owner-hr = HR

journey-group-before_start = Før første dag
journey-group-first_day = Første dag
journey-group-first_week = Første uke
journey-group-first_month = Første måned
journey-group-probation = Prøvetiden

journey-thread-name = Velkommen – sak #{ $case }
journey-heading = **Introduksjonsløp for { $new_hire }** (sak #{ $case } { $title })
journey-people = Leder: { $manager } · Fadder: { $buddy } · Prøvetiden slutter { $end }
journey-no-buddy = ingen ennå
journey-progress = { $bar } { $done } av { $total } punkter
journey-item-line = { $mark } **{ $item }** ({ $owner }, innen { $due })
journey-item-ticked = ✅ { $who } { $when }
journey-closed-continues = Prøvetiden er avgjort: ansettelsen fortsetter ({ $when }). Løpet er avsluttet.
journey-closed-dismissed = Prøvetiden er avgjort: oppsigelse ble gitt i tide ({ $when }). Løpet er avsluttet.
journey-welcome = Velkommen, { $new_hire }! Her er introduksjonsløpet ditt. Kryss av punktene dine når de er gjort.
btn-journey-mine = Mine punkter
btn-journey-continues = Ansettelsen fortsetter
btn-journey-dismissed = Oppsigelse gitt i tide

reply-journey-named = Introduksjonsløpet for sak #{ $case } er åpnet for { $new_hire }: { $thread }
reply-journey-buddy = Fadder for sak #{ $case } er nå { $buddy }.
reply-journey-ticked = Avkrysset: { $item }
reply-journey-decided = Prøvetiden for sak #{ $case } er registrert som avgjort, og løpet er avsluttet.
refusal-journey-not-yours = Dette punktet er { $owner } sitt. Bare den det gjelder (eller lederen) kan krysse det av.
refusal-journey-done = Dette punktet er allerede krysset av.
refusal-journey-closed = Introduksjonsløpet er avsluttet.
refusal-journey-unknown = Fant ikke dette punktet i løpet.
refusal-journey-decision = Prøvetiden registreres med knappene for avgjørelsen.
refusal-journey-not-manager = Bare sakens leder (eller HR) kan registrere at prøvetiden er avgjort.
refusal-journey-none = Saken har ikke noe introduksjonsløp ennå. Lederen åpner det med /rekruttering nyansatt.
refusal-journey-exists = Saken har allerede et introduksjonsløp.
refusal-journey-no-start = Sett startdatoen på saken før introduksjonsløpet åpnes.
refusal-journey-no-channel = Ingen introduksjonskanal er satt. En administrator setter den med /oppsett kanaler.
refusal-journey-bot = En bot kan ikke være nyansatt eller fadder.
refusal-journey-template = Introduksjonsløpet kan ikke endres slik: punkt `{ $item }`: { $fault }
refusal-journey-template-none = Introduksjonsløpet kan ikke endres slik: { $fault }

journey-fault-syntax = filen kan ikke leses ({ $detail })
journey-fault-probation_months = prøvetid på { $n } måneder: den må være 1 til 6 måneder (arbeidsmiljøloven § 15-6)
journey-fault-no_items = løpet har ingen punkter
journey-fault-bad_id = id-en må være 1 til 40 små bokstaver, sifre eller _
journey-fault-duplicate_item = id-en brukes av mer enn ett punkt
journey-fault-no_day = punktet har ingen dag
journey-fault-two_days = punktet har to dager; gi det én
journey-fault-day_out_of_range = dag { $n } er utenfor løpet (fra 60 dager før start til prøvetiden slutter)
journey-fault-unknown_system = systemet «{ $detail }» finnes ikke i prosessen
journey-fault-unknown_docs = lenkenøkkelen «{ $detail }» finnes ikke i prosessen
journey-fault-missing_text = punktet mangler tittel ({ $detail })
journey-fault-bad_title = tittelen må være 1 til 100 tegn
journey-fault-no_decision = ingen punkt er avgjørelsen om prøvetiden
journey-fault-two_decisions = mer enn ett punkt er avgjørelsen om prøvetiden
journey-fault-decision_misplaced = avgjørelsen om prøvetiden må være lederens, regnet fra slutten av prøvetiden
journey-fault-decision_removed = avgjørelsen om prøvetiden kan ikke fjernes
journey-fault-unknown_item = det finnes ikke noe slikt punkt
journey-fault-bad_position = plass { $n } finnes ikke: løpet har { $count } punkter

reminder-journey-item = Introduksjonsløp, sak #{ $case }: «{ $item }» skal gjøres i dag ({ $date }). { $thread }
reminder-journey-summary = Prøvetiden for den nyansatte i sak #{ $case } { $title } slutter { $date }: { $done } av { $total } punkter er gjort. Husk å registrere avgjørelsen før den slutter. { $thread }
reminder-journey-escalation = Siste arbeidsdag i prøvetiden for sak #{ $case } { $title } ({ $date }), og avgjørelsen er ikke registrert. { $thread }
reminder-journey-heading = **Introduksjonsløp: { $count ->
        [one] 1 punkt
       *[other] { $count } punkter
    } å huske på.** Kryss av punktene med knappene når de er gjort.
reply-journey-reminder-ticked = «{ $item }» er krysset av i sjekklisten. { $thread }

mine-journey-heading = **Dine punkter i introduksjonsløp**
mine-journey-line = Sak #{ $case }: { $item } (innen { $due }) { $thread }

oppsett-journey-heading = **Introduksjonsløp** (versjon { $version }, prøvetid { $months } måneder)
oppsett-journey-line = { $n }. { $item } ({ $owner }, { $when })
oppsett-journey-from-start = dag { $days } fra start
oppsett-journey-before-end = { $days } dager før prøvetiden slutter
reply-journey-template = Introduksjonsløpet er endret (versjon { $version }). Nye saker får denne versjonen; saker som har startet beholder sin.

cmd-rekruttering-nyansatt = nyansatt
    .description = Navngi den nyansatte (og eventuelt en fadder) og åpne introduksjonsløpet
    .sak = sak
    .sak-description = Saken
    .person = person
    .person-description = Den nyansattes Discord-konto
    .fadder = fadder
    .fadder-description = Fadderen (valgfri)
cmd-rekruttering-fadder = fadder
    .description = Sett eller bytt fadder i introduksjonsløpet
    .sak = sak
    .sak-description = Saken
    .person = person
    .person-description = Fadderen
cmd-oppsett-lop-legg-til = lop-legg-til
    .description = Legg et punkt til introduksjonsløpet
    .tittel = tittel
    .tittel-description = Hva som skal gjøres
    .hvem = hvem
    .hvem-description = Hvem som gjør det
    .hvem-new_hire = Nyansatt
    .hvem-manager = Leder
    .hvem-buddy = Fadder
    .hvem-hr = HR
    .dag = dag
    .dag-description = Dager etter startdatoen (negativt: før)
cmd-oppsett-lop-fjern = lop-fjern
    .description = Fjern et punkt fra introduksjonsløpet
    .punkt = punkt
    .punkt-description = Punktet
cmd-oppsett-lop-flytt = lop-flytt
    .description = Flytt et punkt i introduksjonsløpet
    .punkt = punkt
    .punkt-description = Punktet
    .plass = plass
    .plass-description = Den nye plassen (1 er først)
cmd-oppsett-provetid = provetid
    .description = Sett lengden på prøvetiden
    .maneder = maneder
    .maneder-description = Måneder (1 til 6)
