var aria={start:function(){document.body.classList.add('assist');}};
