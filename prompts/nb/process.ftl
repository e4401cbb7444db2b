# Tekster for rekrutteringsprosessen (prompts/process.toml), norsk bokmål.
# Hvert steg har en kort tittel (step-X, høyst 60 tegn) og en veiledning (step-X-guide).
# Hvert utfall har en knappetekst (outcome-X-O, høyst 40 tegn).

## Faser

phase-behov = Behov
phase-utlysning = Utlysning
phase-soknader = Søknader
phase-intervju = Intervju og innstilling
phase-tilbud = Tilbud
phase-arbeidsavtale = Arbeidsavtale og overføringer
phase-mottak = Mottak av nyansatt

## Roller

role-manager = Leder
role-hr = HR
role-union_rep = Tillitsvalgt
role-approver = Leder med delegasjonsmyndighet
role-payroll = Lønn
role-candidate = Kandidat

## Systemer

system-webcruiter = Webcruiter
system-hr_everyone = HR EveryOne
system-saks_arkiv = Sak-/arkivsystemet
system-lonnssystem = Lønnssystemet (ressursregisteret)
system-kompetansemodul = Kompetansemodulen
system-personalmappe = Personalmappen
system-tidsregistrering = Tids- og timeregistreringssystemet
system-digipost = Digipost/eBoks

## Datoer

date-soknadsfrist = Søknadsfrist
date-startdato = Startdato

## Stegtyper

kind-task = Oppgave
kind-if_needed = Ved behov
kind-choice = Valg
kind-approval = Godkjenning
kind-system = Automatisk
kind-date = Dato

## Kandidatens svar

answer-waiting = Ikke spurt ennå
answer-offered = Har fått tilbud
answer-accepted = Takket ja
answer-declined = Takket nei

## Frister

deadline-legal = Lovpålagt frist
deadline-onboarding = Frist før oppstart

## 1. Behov

step-stilling_vakant = Stilling vakant
step-stilling_vakant-guide = En stilling er ledig, eller det trengs en ny. Bekreft at saken gjelder riktig stilling, så er steget utført og neste steg åpnes.

step-tidlig_involvering = Tidlig involvering av tillitsvalgt
step-tidlig_involvering-guide = Ta kontakt med tillitsvalgt tidlig, før du går videre. Tillitsvalgt får også beskjed her i tråden. Marker steget som utført når tillitsvalgt er orientert.

step-vurderer_behov = Vurderer behovet for nyansettelse/stillingsendring
step-vurderer_behov-guide = Velg hva saken gjelder: **Nyansettelse** (du skal ansette noen), **Endring uten ny arbeidsavtale** (endringen gjøres i HR EveryOne, og saken avsluttes der) eller **Ny stilling må opprettes** (stillingen opprettes før utlysning). HR kan bistå ved behov.
outcome-vurderer_behov-nyansettelse = Nyansettelse
outcome-vurderer_behov-uten_ny_avtale = Endring uten ny arbeidsavtale
outcome-vurderer_behov-ny_stilling = Ny stilling må opprettes

step-adm_arbeid = Foretar nødvendig administrativt arbeid
step-adm_arbeid-guide = Gjør det administrative arbeidet som trengs, for eksempel omgjøring av stilling eller administrativt vedtak. Skal det opprettes en ny stilling, må steget gjøres. Ellers kan det markeres *Ikke aktuelt* med en begrunnelse.

step-endringer_hr_system = Foretar nødvendige endringer i HR-systemet
step-endringer_hr_system-guide = Gjør de nødvendige endringene i HR EveryOne. Steget er utført når endringene er lagret der. Gjelder saken en endring uten ny arbeidsavtale, er saken ferdig etter dette steget.

step-sjekk_rapport_hr1072l = Sjekker rapport HR1072L
step-sjekk_rapport_hr1072l-guide = Kjør rapport HR1072L i HR EveryOne og gå gjennom den. Marker steget som utført når rapporten er sjekket.

step-sjekk_overtallige = Sjekker overtallige/attførte (DPR0099)
step-sjekk_overtallige-guide = Sjekk i HR EveryOne (DPR0099) om det finnes overtallige eller ferdig attførte i egen virksomhet med fortrinnsrett (aml. § 14-2). De skal vurderes før stillingen lyses ut. Her registreres bare at det er sjekket, aldri hvem det gjelder.

## 2. Utlysning

step-behovsanalyse = Foretar behovsanalyse
step-behovsanalyse-guide = Gjør behovsanalysen i Webcruiter: hvilke oppgaver, kvalifikasjoner og egenskaper stillingen krever. Marker steget som utført når analysen er ferdig.

step-ny_utlysning = Oppretter ny stillingsutlysning
step-ny_utlysning-guide = Opprett en ny stillingsutlysning i Webcruiter, eller kopier en eksisterende. Marker steget som utført når utkastet er klart.

step-legger_til_involverte = Legger til alle involverte i rekrutteringen
step-legger_til_involverte-guide = Legg til alle som er med i rekrutteringen i Webcruiter: HR, tillitsvalgt og intervjupanelet. HR og tillitsvalgt får også beskjed her i tråden. Marker steget som utført når alle er lagt til.

step-utlyser_stilling = Utlyser stilling
step-utlyser_stilling-guide = Publiser utlysningen i Webcruiter, og oppgi søknadsfristen her (dd.mm.åååå). Da er steget utført. Forlenges fristen senere, gjelder den opprinnelige fristen fortsatt for søkerlisten.

step-annonse_arkivert = Stillingsannonsen arkiveres (ansettelsessak opprettes)
step-annonse_arkivert-guide = Stillingsannonsen arkiveres automatisk i sak-/arkivsystemet, og det opprettes en ansettelsessak. Bekreft her når du ser at ansettelsessaken finnes.

## 3. Søknader

step-papirsoknader = Papirsøknader legges inn i Webcruiter
step-papirsoknader-guide = Har det kommet søknader på papir, legger du dem inn manuelt i Webcruiter. Kom det ingen papirsøknader, kan steget markeres *Ikke aktuelt* med en begrunnelse.

step-info_til_sokere = Alle søkere får informasjon om prosessen
step-info_til_sokere-guide = Send alle søkerne informasjon om rekrutteringsprosessen fra Webcruiter. Marker steget som utført når informasjonen er sendt.

step-behandler_soknader = Behandler søknader
step-behandler_soknader-guide = Gå gjennom og vurder søknadene i Webcruiter. Marker steget som utført når søknadene er behandlet og du vet hvem du vil gå videre med.

step-sjekker_fortrinnsrett = Sjekker fortrinnsrett (attførte/overtallige)
step-sjekker_fortrinnsrett-guide = Sjekk i Webcruiter om noen søkere har fortrinnsrett, for eksempel ferdig attførte, overtallige eller deltidsansatte (aml. §§ 14-2 og 14-3). Her registreres bare at det er sjekket, aldri hvem det gjelder.

step-arkiverer_sokerliste = Arkiverer offentlig/utvidet søkerliste
step-arkiverer_sokerliste-guide = Arkiver offentlig og utvidet søkerliste manuelt i sak-/arkivsystemet. Offentlig søkerliste skal foreligge dagen etter den opprinnelige søknadsfristen (offentleglova § 25). Nasjonalitet, kjønn, fødselsdato og lignende skal **aldri** skrives her i chatten.

## 4. Intervju og innstilling

step-planlegger_intervjuer = Planlegger og gjennomfører intervjuer
step-planlegger_intervjuer-guide = Planlegg og gjennomfør intervjurundene. Tillitsvalgt kan delta og får beskjed her i tråden. Marker steget som utført når intervjuene er gjennomført.

step-lokalt_rad = Intervjurunder i lokalt råd
step-lokalt_rad-guide = Skal kandidatene også intervjues i lokalt råd, gjør dere det nå. Hvis ikke, kan steget markeres *Ikke aktuelt* med en begrunnelse.

step-skriver_innstilling = Skriver innstillingen
step-skriver_innstilling-guide = Skriv innstillingen i Webcruiter. Legg så inn de innstilte kandidatene her, bare med visningsnavn og rangering, ingen andre opplysninger. Tillitsvalgt leser innstillingen direkte i Webcruiter.

step-dialog_tillitsvalgt = Blir enig med tillitsvalgt om riktig kandidat
step-dialog_tillitsvalgt-guide = Gå gjennom innstillingen med tillitsvalgt. Både du og tillitsvalgt må bekrefte her at dere er enige om hvem som er rangert først. Er dere ikke enige, åpner du *Skriver innstillingen* på nytt.

step-til_godkjenning = Til godkjenning
step-til_godkjenning-guide = Leder med delegasjonsmyndighet godkjenner innstillingen, eller avviser den med en begrunnelse. Avvises den, går saken tilbake til *Skriver innstillingen*.
outcome-til_godkjenning-godkjent = Godkjent
outcome-til_godkjenning-avvist = Avvist

## 5. Tilbud

step-ringer_kandidat = Ringer kandidat og gir muntlig tilbud
step-ringer_kandidat-guide = Ring den høyest rangerte kandidaten som ikke er spurt ennå, og gi et muntlig tilbud om stillingen. Marker steget som utført når tilbudet er gitt.

step-svar_paa_tilbud = Svar på tilbud
step-svar_paa_tilbud-guide = Registrer svaret fra kandidaten. Takker kandidaten nei, går tilbudet videre til neste på innstillingen. Er det ingen igjen, går saken tilbake til *Behandler søknader*.
outcome-svar_paa_tilbud-ja = Kandidaten takket ja
outcome-svar_paa_tilbud-nei = Kandidaten takket nei

step-kandidat_til_hr = Kandidat overføres til HR EveryOne
step-kandidat_til_hr-guide = Sett status «Tilbud» i Webcruiter, så overføres kandidaten til HR EveryOne. Oppgi startdatoen her (dd.mm.åååå). Fristene for arbeidsavtale og mottak regnes fra den.

## 6. Arbeidsavtale og overføringer

step-forberedelse_arbeidsavtale = Forberedelse til innsending av arbeidsavtale
step-forberedelse_arbeidsavtale-guide = Fyll ut OPF Stillingsopplysninger i HR EveryOne, slik at arbeidsavtalen kan sendes. Marker steget som utført når opplysningene er sendt inn.

step-arbeidsavtale_sendt = Arbeidsavtale sendes
step-arbeidsavtale_sendt-guide = Arbeidsavtalen sendes automatisk fra HR EveryOne til kandidaten via Digipost/eBoks. Bekreft her når du ser at den er sendt.

step-signerer_arbeidsavtale = Signerer arbeidsavtale
step-signerer_arbeidsavtale-guide = Du og kandidaten signerer arbeidsavtalen via Digipost/eBoks. Marker steget som utført når begge har signert. Etter arbeidsmiljøloven § 14-5 skal arbeidsavtalen være inngått senest 7 dager etter startdatoen.

step-overforing_lonn = Overføring til lønnssystemet (ressursregisteret)
step-overforing_lonn-guide = Den nyansatte overføres automatisk til lønnssystemet (ressursregisteret). Bekreft her når du ser at vedkommende er kommet inn der.

step-overforing_kompetanse = Overføring av CV til kompetansemodulen
step-overforing_kompetanse-guide = CV-en overføres automatisk til kompetansemodulen. Bekreft her når du ser at den ligger der.

step-overforing_personalmappe = Overføring til personalmappe
step-overforing_personalmappe-guide = Personalmappen opprettes automatisk, og dokumentene overføres dit. Bekreft her når du ser at personalmappen finnes.

step-overforing_tid = Overføring til tids- og timeregistrering
step-overforing_tid-guide = Den nyansatte overføres automatisk til tids- og timeregistreringssystemet. Bekreft her når du ser at vedkommende er registrert der.

step-kvalitetssikring_lonn = Kvalitetssikring i lønnssystemet
step-kvalitetssikring_lonn-guide = Kontroller at opplysningene om den nyansatte er riktige i lønnssystemet (ressursregisteret). Marker steget som utført når alt stemmer.

step-arkiverer_cv = Arkiverer CV og søknad
step-arkiverer_cv-guide = Arkiver CV-en og søknaden til den nyansatte manuelt i ansettelsessaken i sak-/arkivsystemet. Marker steget som utført når dokumentene er arkivert.

step-avslutter_utlysning = Avslutter stillingsutlysningen
step-avslutter_utlysning-guide = Avslutt stillingsutlysningen i Webcruiter, så arkiveres den der. Alle opplysninger om søkerne slettes etter 12 måneder, også det som er lagret her.

## 7. Mottak av nyansatt

step-bestiller_utstyr = Bestiller utstyr og systemtilganger
step-bestiller_utstyr-guide = Bestill utstyr og de systemtilgangene den nyansatte trenger, i god tid før startdatoen. Marker steget som utført når alt er bestilt.

step-bestiller_velkomstpakke = Bestiller velkomstpakke
step-bestiller_velkomstpakke-guide = Bestill velkomstpakke til den nyansatte i god tid før startdatoen. Marker steget som utført når den er bestilt.

step-tar_imot = Tar imot og ønsker nyansatt velkommen
step-tar_imot-guide = Ta imot den nyansatte og ønsk vedkommende velkommen på første arbeidsdag. Steget kan markeres som utført fra og med startdatoen.

## Historikk (én linje per hendelse)

event-case_opened = { $who } opprettet saken for stillingen *{ $detail }*
event-step_opened = *{ $step }* er åpnet
event-step_completed = { $who } markerte *{ $step }* som utført
event-step_skipped = { $who } markerte *{ $step }* som ikke aktuelt: { $detail }
event-step_confirmed = { $who } ({ $detail }) bekreftet *{ $step }*
event-outcome_chosen = { $who } valgte *{ $outcome }* på *{ $step }*
event-approved = *{ $step }*: godkjent av { $who }
event-rejected = *{ $step }*: avvist av { $who }. Begrunnelse: { $detail }
event-candidates_set = { $who } la inn innstilte kandidater i rangert rekkefølge: { $detail }
event-offer_made = { $detail } har fått muntlig tilbud
event-offer_accepted = { $detail } takket ja til tilbudet
event-offer_declined = { $detail } takket nei til tilbudet
event-candidates_exhausted = Alle kandidatene på innstillingen har takket nei. Saken går tilbake til behandling av søknader.
event-date_set = { $who } satte dato: { $detail }
event-step_reopened = { $who } åpnet *{ $step }* på nytt: { $detail }
event-step_withdrawn = *{ $step }* ble lukket uten å være utført, fordi saken gikk tilbake eller ble avsluttet
event-case_completed = Saken er fullført. Alle stegene er ferdige.
event-case_closed = { $who } avsluttet saken: { $detail }
event-deputy_named = { $who } gjorde { $detail } til stedfortreder for sakens leder
event-deputy_removed = { $who } fjernet { $detail } som stedfortreder
