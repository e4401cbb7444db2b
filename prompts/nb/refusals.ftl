# Avslag: når boten ikke kan gjøre det du ba om. Kort, høflig, og si hva du kan gjøre i stedet.
# Vises bare for den som trykket (ephemeral).

refusal-not-your-role = *{ $step }* kan bare markeres av: { $roles }. Be en av dem om å gjøre det, eller kontakt den som administrerer serveren hvis du mener du skal ha rollen.
refusal-not-current-step = Steget *{ $step }* er ikke åpent nå. Se i saken hvilke steg som venter.
refusal-already-done = *{ $step }* er allerede registrert av { $by } ({ $when }). Må noe rettes, kan steget åpnes på nytt.
refusal-already-confirmed = *{ $step }* er allerede bekreftet av { $by } ({ $role }). Steget blir ferdig når de andre rollene også har bekreftet.
refusal-case-closed =
    { $status ->
        [completed] Saken er fullført, så det kan ikke registreres mer i den. Opprett en ny sak hvis du skal rekruttere på nytt.
       *[closed] Saken er avsluttet, så det kan ikke registreres mer i den. Opprett en ny sak om nødvendig.
    }
refusal-unknown-step = Fant ikke steget «{ $step }» i prosessen. Last inn saken på nytt og prøv igjen.
refusal-unknown-outcome = «{ $outcome }» er ikke et valg på *{ $step }*. Bruk knappene i saken.
refusal-wrong-kind = Dette kan ikke gjøres på steget *{ $step }*. Bruk knappene som hører til steget.
refusal-not-skippable = *{ $step }* kan ikke markeres som ikke aktuelt i denne saken. Steget må gjøres før saken kan gå videre.
refusal-reason-missing = Skriv en kort begrunnelse, så lagres den i saken. Ikke skriv personopplysninger om søkerne.
refusal-date-in-past = { $date } er allerede passert. Skriv dagens dato eller en senere dato.
refusal-date-too-early = { $date } er for tidlig. Datoen kan ikke være før { $earliest }.
refusal-date-too-far =
    { $key ->
        [soknadsfrist] { $date } er for langt fram i tid. Søknadsfristen kan være senest { $latest }. Er det ingen fast frist, skriv datoen dere begynner å vurdere søkerne. Den kan flyttes senere.
       *[startdato] { $date } er for langt fram i tid. Startdatoen kan være senest { $latest }.
    }
refusal-date-not-asked = Ingen steg spør etter denne datoen nå. Du kan sette den når steget som trenger den, er åpent.
refusal-too-early = *{ $step }* kan først markeres fra og med { $date }.
refusal-date-missing = *{ $step }* trenger datoen *{ $date_name }* først. Registrer den, og prøv igjen.
refusal-no-candidates = Innstillingen må ha minst én kandidat. Legg inn kandidatene i rangert rekkefølge, bare med visningsnavn.
refusal-no-offer-open = Ingen kandidat venter på svar på et tilbud. Marker først at du har ringt kandidaten og gitt muntlig tilbud.
refusal-not-finished = Steget *{ $step }* er ikke utført ennå, så det kan ikke åpnes på nytt.
refusal-not-case-manager = *{ $step }* hører til sakens leder, { $manager }{ $has_deputy ->
        [yes] {" "}(eller stedfortreder { $deputy })
       *[no] {""}
    }. HR kan gjøre det på vegne av lederen. En lederrolle på serveren gir bare rett til å opprette saker.
refusal-not-case-manager-case = Dette kan bare sakens leder, { $manager }{ $has_deputy ->
        [yes] {" "}(eller stedfortreder { $deputy })
       *[no] {""}
    }, eller HR gjøre i denne saken.
refusal-deputy-is-manager = Sakens leder kan ikke være sin egen stedfortreder. Velg en annen person.
refusal-deputy-unchanged =
    { $has_deputy ->
        [yes] { $deputy } er allerede stedfortreder i saken. Ingenting ble endret.
       *[no] Saken har ingen stedfortreder å fjerne.
    }
refusal-not-on-case = Bare de som har en oppgave i saken nå, kan be HR om hjelp her: sakens leder og stedfortreder, HR og de som er spurt om et åpent steg. Trenger du hjelp med noe annet, ta kontakt med HR direkte.
refusal-left-server = Du er ikke lenger medlem av serveren denne saken hører til, så knappen virker ikke for deg lenger. Ingenting ble endret.

refusal-stale = { $by } endret saken rett før deg ({ $when }). Last inn saken på nytt og se om det fortsatt er noe du må gjøre.
refusal-other-server = Denne saken hører til en annen server. Åpne den der.
refusal-case-not-found = Fant ikke saken «{ $case }». Sjekk at du har riktig sak, og prøv igjen.

## Feil i det du skrev

input-date-invalid = «{ $input }» er ikke en dato. Skriv datoen som dd.mm.åååå, for eksempel 01.03.2027.
input-text-empty = Feltet *{ $field }* kan ikke være tomt.
input-text-too-long = Teksten i *{ $field }* er { $len } tegn, men kan ha høyst { $max } tegn. Kort ned teksten og prøv igjen.
input-text-multiline = Teksten i *{ $field }* må stå på én linje.
