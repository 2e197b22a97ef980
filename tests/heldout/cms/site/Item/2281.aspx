<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>县住建局开展燃气安全专项检查_某县人民政府</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{background:#ffffff} .skip{position:absolute;left:-10000px;top:auto} .skip:focus{left:0}
.sub{display:none} .nav li:hover .sub{display:block}</style>
</head><body>
<a class="skip" href="#main">跳转到主要内容</a>
<div class="top"><a href="javascript:void(0);" onclick="aria.start()">无障碍</a>
<a href="/ghb/index.html">关怀版</a><script src="/assist/assist.js"></script></div>
<form class="search" action="/search/index.html" method="get"><input type="text" name="kw" placeholder="请输入关键词">
<button type="submit">搜索</button></form>
<ul class="nav"><li><a href="/">首页</a></li>
<li><a href="/zwgk/zwyw/">政务要闻</a><ul class="sub"><li><a href="/Category_12/Index.aspx">工作动态</a></li>
<li><a href="/news-list-bmdt.html">部门动态</a></li></ul></li>
<li><a href="/col/col1234/index.html">通知公告</a></li>
<li><a href="/zwgk/gfxwj/">规范性文件</a></li><li><a href="/zwgk/zcjd/">政策解读</a></li>
<li><a href="/zwgk/xxgk/">政府信息公开</a></li>
<li class="more"><a href="/zwgk/xxgk/">友情链接</a><ul style="position:absolute;left:-9999px"><li><a href="http://__STRANGER__/news/">人民网</a></li>
<li><a href="http://__STRANGER__/news/xh.html">新华网</a></li></ul></li></ul>
<div id="main">
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/Category_12/Index.aspx">工作动态</a></div>
<h1>县住建局开展燃气安全专项检查</h1><div class="info">发布时间：2026-10-09　来源：某县人民政府办公室</div>
<div class="content"><p>县住建局开展燃气安全专项检查。会议要求，各乡镇、各部门要认真贯彻落实县委县政府部署，压实责任，确保各项工作落到实处。</p></div></div>
<div class="footer"><p>主办单位：某县人民政府办公室　联系电话：0795-4521234　<a href="mailto:xxgk@mx.example.gov.cn">联系我们</a></p>
<p><span>网站标识码：</span><span>3609220001</span>　<span>赣ICP备05001234号</span>　<img src="/images/ga.png" alt="公安备案">赣公网安备 36092202000123号</p>
<p><span id="_ideConac"><a href="/zwgk/xxgk/"><img src="/images/red.png" alt="党政机关"></a></span></p>
<script>var _hmt = _hmt || [];(function(){var hm = document.createElement("script");
hm.src = "https://hm.baidu.com/hm.js?3b2d9f0e7c1a";var s = document.getElementsByTagName("script")[0];
s.parentNode.insertBefore(hm, s);})();</script>
</div></body></html>
