"""data.caf.fr files written by hand in the layout the portal exports (CSV, « ; », UTF-8 with a
BOM, field names as published: docs/decisions/019-open-data.md). Niort 79191, Bressuire 79049
and Chauray 79081 are in the CA du Niortais (200041317) or the CA du Bocage Bressuirais
(200040244); 01004 (Ambérieu-en-Bugey) and 2A004 (Ajaccio) are outside the Deux-Sèvres."""

from __future__ import annotations

from pathlib import Path

BOM = "\ufeff"

BENEFITS = (
    "indfoy_ndur;indnbp_ndur;indfoy_af;indfoy_cf;indfoy_asf;indfoy_ab;indfoy_cmg;indfoy_ndurpaje;"
    "indfoy_apl;indfoy_als;indfoy_alf;indfoy_ndural;indfoy_rsa;indmtt_rsa;indfoy_ppa;indmtt_ppa"
)


def _benefits(*values: str) -> str:
    return ";".join(values)


S_BEN_COM_F = (
    f"dtreffre;numcomdo;nomcom;{BENEFITS}\n"
    # Niort, two years
    "2022-12;79191;Niort;17250;38615;4210;620;1285;890;1015;1650;7905;3320;760;10325;1850;1094500;"
    "3240;654300\n"
    "2023-12;79191;Niort;17410;38890;4185;615;1300;860;990;1600;7960;3365;745;10410;1835;1101200;"
    "3275;668900\n"
    # Chauray (CA du Niortais), 2022: a secret value
    "2022-12;79081;Chauray;1205;3115;455;70;s;85;160;215;310;95;40;445;35;18900;155;28700\n"
    # Bressuire (CA du Bocage Bressuirais), 2022
    "2022-12;79049;Bressuire;3105;7840;1120;160;190;210;300;460;955;310;115;1380;240;132400;"
    "590;101800\n"
    # a commune of the département not precise enough to be located
    "2022-12;79XXX;;45;90;10;0;5;0;5;5;15;5;0;20;5;2300;10;1500\n"
    # allocataires that could not be located: an empty code
    "2022-12;;;120;260;30;5;10;5;10;15;45;10;5;60;15;8100;25;4100\n"
    # outside the Deux-Sèvres: Ambérieu-en-Bugey and Ajaccio (codes kept as text)
    "2022-12;01004;Ambérieu-en-Bugey;2610;6420;820;120;180;150;230;350;1040;210;95;1345;610;"
    "360100;880;170200\n"
    "2022-12;2A004;Ajaccio;15020;33100;3890;510;1460;700;1100;1700;7010;2210;600;9820;2940;"
    "1650300;3880;760100\n"
    # a commune whose every value is secret or blank
    "2022-12;79005;Airvault;s;s;;;;;;;;;;;s;s;s;s\n"
)

# The subset of fields of a real export (docs/decisions/019-open-data.md [S36]).
S_BEN_COM_F_RSA = (
    "dtreffre;numcomdo;nomcom;indfoy_rsa;indmtt_rsa;indfoy_ppa;indmtt_ppa\n"
    "2024-12;79191;Niort;1790;1080100;3300;671200\n"
)

S_BEN_DEP = (
    f"dtreffre;numdep;nomdep;{BENEFITS}\n"
    "2022-12;79;Deux-Sèvres;64310;158220;17025;2510;5470;3880;5205;7830;25460;8210;3315;36985;"
    "6105;3562100;14210;2716400\n"
    "2022-12;86;Vienne;72950;170100;18200;2600;6900;4100;5100;8100;33100;9100;3900;46100;8800;"
    "5120300;16300;3105200\n"
    "2022-12;XX;;210;450;20;5;10;5;10;20;95;30;10;135;40;23100;60;11200\n"
)

TXCOUV_PE_EPCI = (
    "annee;nomregi;numdep;numepci;nomepci;txcouv_epci;txcouv_psu_col_epci;"
    "txcouv_hors_psu_col_epci;txcouv_prescol_epci;txcouv_am_ind_epci;txcouv_gad_ind_epci;"
    "txcouv_eaje_epci;txcouv_ind_epci\n"
    "2022;NOUVELLE-AQUITAINE;79;200041317;CA du Niortais;71.4;21.3;1.9;2.4;44.6;1.2;23.2;45.8\n"
    "2022;NOUVELLE-AQUITAINE;79;200040244;CA du Bocage Bressuirais;80.2;9.8;0.4;3.1;66.5;0.4;10.2;"
    "66.9\n"
    "2022;NOUVELLE-AQUITAINE;86;248600413;CC du Civraisien en Poitou;65.0;8.1;0;2.9;53.7;0.3;8.1;"
    "54.0\n"
    "2022;;XX;XX;;195.8;;;;;;;\n"
)

# The same as in txcouv_pe_nat, where « annee » is a date: both date forms.
TXCOUV_PE_EPCI_DATES = (
    "annee;nomregi;numdep;numepci;nomepci;txcouv_epci;txcouv_psu_col_epci\n"
    "2023-12-31;NOUVELLE-AQUITAINE;79;200041317;CA du Niortais;72.0;21.6\n"
    "31/12/2021;NOUVELLE-AQUITAINE;79;200041317;CA du Niortais;70.9;21.1\n"
)

NBPLA_PE_EPCI = (
    "annee;nomregi;numdep;numepci;nomepci;pl_psu_col_epci;pl_hors_psu_col_epci;pl_prescol_epci;"
    "pl_am_ind_epci;pl_gad_ind_epci;pl_eaje_epci;tot_offre_epci\n"
    "2022;NOUVELLE-AQUITAINE;79;200041317;CA du Niortais;786;70;89;1645;44;856;2634\n"
    "2022;NOUVELLE-AQUITAINE;79;XXX;;12;0;0;30;0;12;42\n"
)

NDUR_S_QF_400_COM_F = (
    "dtreffre;numcomdo;nomcom;qf_400;indfoy_ndur;indnbp_ndur\n"
    "2022-12;79191;Niort;< 400 €;2110;4105\n"
    "2022-12;79191;Niort;400 - 799 €;3420;8260\n"
    "2022-12;79191;Niort;800 - 1199 €;4015;10330\n"
    "2022-12;79191;Niort;>= 4000 €;35;95\n"
    "2022-12;79049;Bressuire;< 400 €;285;610\n"
    "2022-12;79049;Bressuire;400 - 799 €;640;1655\n"
    "2022-12;79XXX;;< 400 €;5;10\n"
)

NOT_OPEN_DATA = "identifiant;periode;valeur\ncog-08-29;2026-10;14,2\n"


def write_sample(folder: Path, name: str, text: str, bom: bool = True) -> Path:
    """The file as the portal exports it: UTF-8 with a BOM, « ; », CRLF-free."""
    path = folder / name
    path.write_text((BOM if bom else "") + text, encoding="utf-8")
    return path
