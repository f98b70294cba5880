//! `StoryAdapter`: the showroom's stories (a page of them, one story with
//! its photos and the producer's shop QR), the attract loop's slides
//! (featured products with a story between each), and an enterprise's
//! news and open jobs on its page.

use super::catalog::price;
use super::model;
use super::training::job_row;
use crate::controllers::catalog_view::CardView;
use crate::controllers::content_view::StoryCard;
use crate::controllers::screens::{Dirty, Screens};
use crate::ui::images::ImageCache;
use crate::ui::{AppWindow, AttractSlide, Glue, NewsRow, StoryAdapter, StoryRow, qr};
use slint::ComponentHandle;

pub fn connect(window: &AppWindow, glue: &Glue) {
    let a = window.global::<StoryAdapter>();
    let g = glue.clone();
    a.on_open_story(move |id| g.act(|s, now| s.open_story(&id, now)));
    let g = glue.clone();
    a.on_open_story_producer(move || g.act(|s, now| s.open_story_producer(now)));
}

pub fn show(window: &AppWindow, screens: &Screens, images: &mut ImageCache, dirty: &Dirty) {
    let a = window.global::<StoryAdapter>();
    let (Some(view), Some(content)) = (screens.view(), screens.content()) else { return };
    if dirty.catalog || dirty.stories {
        let stories = content.stories();
        a.set_slides(model(slides(&view.featured(), &stories, images)));
        a.set_stories(model(stories.iter().map(|s| story_row(s, images, false)).collect()));
        if let Some(open) = &screens.story {
            a.set_story(story_row(open, images, true));
        }
    }
    if dirty.listing {
        let producer = screens.showroom.listing_page(view).and_then(|l| l.producer_id);
        let (news, jobs) = match &producer {
            Some(id) => (content.news_of(id), content.jobs_of(id, screens.today())),
            None => (Vec::new(), Vec::new()),
        };
        a.set_news(model(
            news.into_iter()
                .map(|n| NewsRow { date: n.date.into(), title: n.title.into(), text: n.text.into() })
                .collect(),
        ));
        a.set_producer_jobs(model(jobs.iter().map(job_row).collect()));
    }
}

/// Featured products with a story after each, until both run out.
fn slides(featured: &[CardView], stories: &[StoryCard], images: &mut ImageCache) -> Vec<AttractSlide> {
    let mut out = Vec::new();
    for i in 0..featured.len().max(stories.len()) {
        if let Some(c) = featured.get(i) {
            out.push(AttractSlide {
                story: false,
                image: images.get(c.image.as_ref()),
                title: c.name.clone().into(),
                subtitle: c.producer.clone().into(),
                price: price(&c.price),
            });
        }
        if let Some(s) = stories.get(i) {
            out.push(AttractSlide {
                story: true,
                image: images.get(s.photos.first()),
                title: s.title.clone().into(),
                subtitle: format!("{} · {}", s.name, s.town).into(),
                price: Default::default(),
            });
        }
    }
    out
}

/// A story; `whole` adds every photo and the shop's QR (its page).
fn story_row(s: &StoryCard, images: &mut ImageCache, whole: bool) -> StoryRow {
    let photos = if whole { s.photos.iter().map(|p| images.get(Some(p))).collect() } else { Vec::new() };
    StoryRow {
        id: s.id.clone().into(),
        title: s.title.clone().into(),
        name: s.name.clone().into(),
        town: s.town.clone().into(),
        date: s.date.clone().into(),
        text: s.text.clone().into(),
        photo: images.get(s.photos.first()),
        photos: model(photos),
        has_shop: s.shop.is_some(),
        shop_label: s.shop.as_ref().map(|(l, _)| l.clone()).unwrap_or_default().into(),
        // The shop's address only: no one's personal data.
        shop_qr: match (&s.shop, whole) {
            (Some((_, url)), true) => qr::image(url),
            _ => Default::default(),
        },
        has_producer: s.producer_id.is_some(),
    }
}
