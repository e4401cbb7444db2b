# Bilder og rapporter: prosesskartet, HRs statistikk og saken for arkivet.

cmd-rekruttering-kart = kart
    .description = Vis prosesskartet med hvor saken står nå
    .sak = sak
    .sak-description = Saken (velg fra listen; uten: saken i denne tråden)
cmd-rekruttering-statistikk = statistikk
    .description = HR: hvor lang tid rekrutteringene tar og hvor de stopper opp
    .fra = fra
    .fra-description = Fra og med dato (DD.MM.ÅÅÅÅ); uten: ett år tilbake
    .til = til
    .til-description = Til og med dato (DD.MM.ÅÅÅÅ); uten: i dag
cmd-rekruttering-eksport = eksport
    .description = Saken som PDF for arkivet (sakens leder og HR)
    .sak = sak
    .sak-description = Saken (nummeret; uten: saken i denne tråden)

btn-chart = Vis i kartet

chart-title = Sak #{ $case }: { $title } – { $unit }
chart-phase = Fase { $n } av { $total }: { $phase }
chart-completed = Fullført { $when }
chart-closed = Avsluttet { $when }
chart-asked = Venter på: { $who }
chart-legend-open = Åpent nå
chart-legend-done = Utført
chart-legend-skipped = Ikke aktuelt
chart-legend-not_reached = Ikke nådd ennå
chart-legend-off_path = Ikke på sakens vei
chart-alt = Prosesskart for sak #{ $case }. { $phase }. Åpne steg: { $open }. { $done } av { $total } steg er ferdige.
chart-alt-none = ingen
chart-alt-open = { $step } (venter på { $who })

stats-none = Ingen saker ble opprettet på denne serveren i perioden { $from }–{ $to }, så det er ingen statistikk å vise.
stats-title = **Statistikk for { $from }–{ $to }**: { $count ->
        [one] 1 sak
       *[other] { $count } saker
    }
stats-to-start = Fra ledig stilling til tiltredelse: median { $median } dager, 90. persentil { $p90 } dager ({ $count ->
        [one] 1 sak
       *[other] { $count } saker
    } med startdato)
stats-to-start-none = Fra ledig stilling til tiltredelse: ingen av sakene har startdato ennå
stats-phases = Dager i hver fase (median / 90. persentil):
stats-phase-line = • { $phase }: { $median } / { $p90 } ({ $count ->
        [one] 1 sak
       *[other] { $count } saker
    })
stats-phase-none = • { $phase }: ingen saker har gått gjennom fasen
stats-overdue = Oftest forsinket:
stats-overdue-line = • { $step }, ventet på { $role }: { $times } ganger
stats-overdue-none = Ingen steg ble forsinket.
stats-outcomes = Utfall: { $new_hire } nyansatt, { $without } løst uten ny arbeidsavtale, { $closed } avsluttet tidlig, { $open } fortsatt åpne; { $declined } der alle kandidatene takket nei
stats-legal-title = Lovfrister:
stats-legal = • { $basis }: { $met } overholdt, { $missed } oversittet
stats-chart-title = Dager i hver fase
stats-chart-days = dager
stats-chart-median = median
stats-chart-p90 = 90. persentil
stats-chart-alt = Søylediagram over dager i hver fase, median og 90. persentil, for { $count ->
        [one] 1 sak
       *[other] { $count } saker
    }.
stats-bad-period = Perioden må begynne før den slutter: { $from }–{ $to }.
stats-outcome-new_hire = nyansatt
stats-outcome-without_new_contract = uten ny arbeidsavtale
stats-outcome-closed_early = avsluttet tidlig
stats-outcome-open = åpen
stats-legal-met = overholdt
stats-legal-missed = oversittet
stats-legal-pending = ikke nådd
stats-yes = ja
stats-no = nei
csv-case = sak
csv-unit = enhet
csv-opened = opprettet
csv-start = tiltredelse
csv-ended = avsluttet
csv-outcome = utfall
csv-declined = alle takket nei
csv-overdue = forsinkede steg
csv-phase-start = { $phase }: start
csv-phase-days = { $phase }: dager

export-title = Sak #{ $case }: { $title }
export-unit = Enhet: { $unit }
export-opened = Opprettet { $when }
export-status-open = Status: åpen
export-status-completed = Status: fullført { $when }
export-status-closed = Status: avsluttet { $when }
export-events = Hendelser
export-dates = Datoer
export-deadlines = Lovfrister
export-deadline = { $basis }: frist { $due }, { $result }
export-no-deadlines = Ingen lovfrist har dato ennå.
export-purged = Saken ble anonymisert { $when }, 12 måneder etter at den ble avsluttet: navn og fritekst er slettet. Eksporten viser bare den anonyme tidslinjen.
export-footer = Sak #{ $case } · laget { $when } · side
export-reply = Sak #{ $case } som PDF for arkivet.
