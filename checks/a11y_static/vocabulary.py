"""The names a browser knows: ARIA attributes and roles, ISO 639-1 language codes."""

from __future__ import annotations


def words(*lines: str) -> frozenset[str]:
    return frozenset(" ".join(lines).split())


# ARIA 1.2 states and properties (plus the 1.3 braille/description ones browsers ship).
ARIA_ATTRIBUTES = frozenset(
    "aria-" + name
    for name in words(
        "activedescendant atomic autocomplete braillelabel brailleroledescription busy "
        "checked colcount colindex colindextext colspan controls current describedby "
        "description details disabled dropeffect errormessage expanded flowto grabbed "
        "haspopup hidden invalid keyshortcuts label labelledby level live modal multiline "
        "multiselectable orientation owns placeholder posinset pressed readonly relevant "
        "required roledescription rowcount rowindex rowindextext rowspan selected setsize "
        "sort valuemax valuemin valuenow valuetext"
    )
)

# Concrete ARIA 1.2 roles, graphics roles and the ARIA 1.3 additions browsers accept.
ARIA_ROLES = words(
    "alert alertdialog application article banner blockquote button caption cell "
    "checkbox code columnheader combobox comment complementary contentinfo definition "
    "deletion dialog directory document emphasis feed figure form generic grid "
    "gridcell group heading img image insertion link list listbox listitem log main "
    "mark marquee math menu menubar menuitem menuitemcheckbox menuitemradio meter "
    "navigation none note option paragraph presentation progressbar radio radiogroup "
    "region row rowgroup rowheader scrollbar search searchbox sectionfooter "
    "sectionheader separator slider spinbutton status strong subscript suggestion "
    "superscript switch tab table tablist tabpanel term textbox time timer toolbar "
    "tooltip tree treegrid treeitem graphics-document graphics-object graphics-symbol"
)
ABSTRACT_ROLES = words(
    "command composite input landmark range roletype section sectionhead select structure "
    "widget window"
)

# ISO 639-1 codes; three-letter primary subtags are accepted (ISO 639-2/3 is too large to
# list, and accepting one never produces a false failure).
ISO_639_1 = words(
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr "
    "cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu "
    "gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik in io is it iu iw ja ji jv jw ka "
    "kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk "
    "ml mn mo mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps "
    "pt qu rm rn ro ru rw sa sc sd se sg sh si sk sl sm sn so sq sr ss st su sv sw ta "
    "te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh "
    "zu"
)
