"""Static assets: stylesheet, scripts, images and attachment files (all written by us).

Images are real (tiny) PNG/GIF files and attachments carry their format's signature, so a
verifier that sniffs content sees what a browser would. Zip-based files use a fixed
timestamp: the same seed must give the same bytes.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

MAIN_CSS = """\
/* 某市民政局 — colours chosen for WCAG AA contrast; only .tip-light is planted below AA */
body{margin:0;font:14px/1.7 "Microsoft YaHei",sans-serif;color:#222;background:#fff}
a{color:#0b3d91;text-decoration:underline}
.w{max-width:1100px;margin:0 auto;padding:0 10px}
.topbar{background:#f2f2f2;color:#333;font-size:13px}
.topbar .tools a{margin-left:12px;color:#0b3d91}
.header .logo img{display:block}
.search label{margin-right:6px;color:#333}
.search button,.tools button,.modal button,.float-ad button{background:#0b3d91;color:#fff;border:0;padding:4px 12px}
.nav{background:#0b3d91}
.nav ul{list-style:none;display:flex;gap:4px}
.nav a{display:block;color:#fff;padding:10px 18px;text-decoration:none}
.megamenu{background:#eef3fb}
.megamenu a{color:#0b3d91}
.main{display:flow-root}
.crumb{margin:10px 0;color:#333}
.side{float:left;width:200px}
.side a{color:#0b3d91}
.content{overflow:hidden}
.date,.bt-data-time,.list-table .dt{color:#595959}
.block{border:1px solid #d0d7e5;margin:8px 0;padding:8px}
.no-data{color:#444}
.tip-light{color:#c8c8c8}
.footer{background:#2b2b2b;color:#f0f0f0;margin-top:20px;padding:12px 0}
.footer a{color:#fff}
.modal{position:fixed;left:0;top:0;width:100%;height:100%;background:rgba(0,0,0,.6)}
.modal .box{background:#fff;color:#222;width:60%;margin:10% auto;padding:20px}
.float-ad{position:fixed;right:10px;bottom:10px;width:220px;background:#b00000;color:#fff;padding:10px}
"""

COMMON_JS = """\
// 加入收藏 / 字号切换
function addFavorite(){try{window.external.addFavorite(location.href,document.title)}catch(e){alert('请使用Ctrl+D收藏本页')}}
function setFontSize(px){var z=document.getElementById('zoom');if(z){z.style.fontSize=px+'px'}}
"""

# Our own version of the TRS WCM pager: the other list pages exist only in these strings.
TRS_PAGER_JS = """\
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount==null||_nPageCount<=1){return;}
  function u(i){return i==0?_sPageName+"."+_sPageExt:_sPageName+"_"+i+"."+_sPageExt;}
  var h="";
  h+=_nCurrIndex>0?"<a href=\\""+u(0)+"\\">首页</a> <a href=\\""+u(_nCurrIndex-1)+"\\">上一页</a> ":"<span>首页</span> <span>上一页</span> ";
  h+=_nCurrIndex<_nPageCount-1?"<a href=\\""+u(_nCurrIndex+1)+"\\">下一页</a> <a href=\\""+u(_nPageCount-1)+"\\">尾页</a>":"<span>下一页</span> <span>尾页</span>";
  h+=" <span>共"+_nPageCount+"页 当前第"+(_nCurrIndex+1)+"页</span>";
  document.write(h);
}
"""

# Renders Hanweb <datastore> records the way jpage does (records → <ul>, client-side pages).
JPAGE_JS = """\
function jpage(unitId, perPage){
  var box=document.getElementById(unitId); if(!box){return;}
  var src=box.querySelector('script[type="text/xml"]'); if(!src){return;}
  var recs=[], re=/<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>/g, m;
  while((m=re.exec(src.textContent))){recs.push(m[1]);}
  var list=document.createElement('ul'); list.className='list';
  var pager=document.createElement('div'); pager.className='pager';
  box.appendChild(list); box.appendChild(pager);
  function show(p){
    list.innerHTML=recs.slice(p*perPage,(p+1)*perPage).join('');
    pager.innerHTML='';
    for(var i=0;i*perPage<recs.length;i++){
      var b=document.createElement('button'); b.type='button'; b.textContent='第'+(i+1)+'页';
      b.onclick=(function(k){return function(){show(k);};})(i); pager.appendChild(b);
    }
  }
  show(0);
}
"""

# A floating advertisement, the kind 适老化 rules forbid.
ADS_JS = """\
(function(){
  var d=document.createElement('div'); d.id='guanggao-float'; d.className='float-ad';
  d.innerHTML='<strong>广告</strong> 品质养老社区火热招租中 <button type="button">关闭</button>';
  d.querySelector('button').onclick=function(){d.parentNode.removeChild(d);};
  document.addEventListener('DOMContentLoaded',function(){document.body.appendChild(d);});
})();
"""

POPUP_JS = """\
<script>
window.addEventListener('load',function(){
  var m=document.getElementById('survey-modal'); m.hidden=false;
  document.getElementById('survey-close').onclick=function(){m.hidden=true;};
});
</script>
"""

POPUP_HTML = (
    '<div id="survey-modal" class="modal" role="dialog" aria-modal="true" '
    'aria-labelledby="survey-modal-title" hidden><div class="box">'
    '<h2 id="survey-modal-title">问卷调查</h2><p>诚邀您参加2026年民政服务满意度问卷调查。</p>'
    '<button type="button" id="survey-close">关闭</button></div></div>\n'
)

GIF_1PX = bytes.fromhex(
    "47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b"
)


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes(rgb) * width
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )


_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_FIXED_TIME = (2026, 1, 1, 0, 0, 0)


def _zip(entries: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in entries.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=_FIXED_TIME), text)
    return buf.getvalue()


def attachment(ext: str, label: str) -> bytes:
    """A small file with the signature of its format; ``label`` makes each one distinct."""
    if ext == ".pdf":
        body = f"1 0 obj << /Type /Catalog >> endobj\n% {label}\n".encode()
        return b"%PDF-1.4\n" + body + b"trailer << /Root 1 0 R >>\n%%EOF\n"
    if ext in (".doc", ".xls", ".wps"):
        return _OLE_MAGIC + label.encode("utf-8").ljust(504, b"\x00")
    if ext in (".docx", ".xlsx"):
        return _zip({"[Content_Types].xml": "<Types/>", "docProps/app.xml": label})
    if ext == ".ofd":
        return _zip({"OFD.xml": f"<ofd:OFD><!-- {label} --></ofd:OFD>"})
    if ext == ".zip":
        return _zip({"说明.txt": label})
    return label.encode("utf-8")
